import TendCEL
import TendValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Throughput measurement for the interpreter (`tend-bench cel`). Lives in the benchmarks package, not
/// in TendCEL: production modules carry no benchmark code.
enum CELBenchmark {
    struct Result: Sendable {
        var expression: String
        var iterations: Int
        var seconds: Double
        var evaluationsPerSecond: Double { Double(iterations) / seconds }
        var nanosecondsPerEvaluation: Double { seconds * 1e9 / Double(iterations) }
    }

    /// The guard from the performance goal, on a small Deployment-like object.
    static let guardExpression = #"self.spec.replicas > 0 && self.metadata.labels["tier"] == "web""#

    static let sampleObject: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "shop", "labels": ["app": "shop", "tier": "web"]],
        "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "shop"]]],
        "status": ["readyReplicas": 3],
    ]

    /// Evaluates `expression` `iterations` times on one thread with `self` bound to `object`.
    static func measure(_ expression: String, object: Value = sampleObject, iterations: Int) throws -> Result {
        let program = try CELProgram(expression, environment: CELEnvironment(variables: ["self"]))
        let variables: [String: Value] = ["self": object]
        var trues = 0
        // Warm up.
        for _ in 0..<min(iterations, 10_000) where try program.evaluate(variables) == .bool(true) { trues += 1 }
        let start = now()
        for _ in 0..<iterations where try program.evaluate(variables) == .bool(true) { trues += 1 }
        let seconds = now() - start
        precondition(trues >= 0)
        return Result(expression: expression, iterations: iterations, seconds: max(seconds, 1e-9))
    }

    static func guardThroughput(iterations: Int = 1_000_000) throws -> Result {
        try measure(guardExpression, iterations: iterations)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
