import CBenchSupport
import Foundation
import Logging
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendRuntime
import TendValue
import TendYAML

/// The client-go peer's `-mode fanout` job done by a rule: for every ConfigMap labelled
/// `role=parent`, a child ConfigMap `<name>-child` (label `role=child`, data copied, controller
/// ownerReference). Same output format as the peer, plus Tend's requests by verb.
enum FanoutBenchmarks {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: fanout}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {role: parent}}}
          children:
            - id: child
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "${self.metadata.name}-child", labels: {role: child}}
                data: ${self.data}
        """

    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// Creates `count` parent ConfigMaps (`role=parent`, 4 data keys) in `namespace`.
    static func seed(namespace: String, count: Int) async throws {
        let seconds = try await ClusterBenchmarks.createConfigMaps(namespace: namespace, count: count) { n in
            [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string("parent-\(n)"), "labels": ["role": "parent"]],
                "data": ["a": .string("value-\(n)"), "b": "two", "c": "three", "d": "four"],
            ]
        }
        print("fanout-seed namespace=\(namespace) parents=\(count) seconds=\(String(format: "%.2f", seconds))")
    }

    /// Runs the rule on `namespace` with 2 workers until `count` children exist; prints the time
    /// from start (informers included, as the peer's) and the requests made.
    static func run(namespace: String, count: Int, workers: Int = 2) async throws {
        let (compiled, diagnostics) = RuleCompiler.compile(try YAML.parse(rule, file: "fanout.yaml"))
        guard let compiled else { throw BenchError("rule: \(diagnostics)") }
        let client = try ClusterBenchmarks.client()
        var logger = Logger(label: "tend-bench")
        logger.logLevel = .error
        var options = EngineOptions()
        options.namespace = namespace
        options.inventoryNamespace = namespace
        options.workers = workers
        let start = Measure.now()
        let engine = Engine(rules: [compiled], client: client, options: options, logger: logger)
        let running = Task { try await engine.run() }
        // Children are observed through the engine's own cache, as the peer observes them through
        // its informer (the one the engine's child informer is: no second watch).
        let children = try await engine.informers.informer(for: configMap, namespace: namespace, labelSelector: "tend.dev/rule")
        var firstChild: Double?
        while children.store.count < count {
            try await Task.sleep(for: .milliseconds(5))
            if firstChild == nil, children.store.count > 0 { firstChild = Measure.now() - start }
            if Measure.now() - start > 600 { throw BenchError("timed out with \(children.store.count) children") }
        }
        let seconds = Measure.now() - start
        let counts = client.requestCounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("peer=tend mode=fanout children=\(count) workers=\(workers) seconds=\(String(format: "%.3f", seconds)) first_child_seconds=\(String(format: "%.3f", firstChild ?? 0)) peak_rss_kib=\(tend_bench_peak_rss_kib()) informers=\(engine.informerCount) requests: \(counts)")
        running.cancel()
        await client.shutdown()
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
