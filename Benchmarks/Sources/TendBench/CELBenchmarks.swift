import TendCEL

enum CELBenchmarks {
    /// Evaluations per second of a typical guard, one core.
    static func guardThroughput() throws {
        let result = try CELBenchmark.guardThroughput(iterations: 2_000_000)
        print("cel-guard evals_per_s=\(Int(result.evaluationsPerSecond)) ns_per_eval=\(Int(result.nanosecondsPerEvaluation))")
    }
}
