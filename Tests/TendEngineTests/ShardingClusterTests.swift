import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendRuntime
import TendTesting
import TendValue
import TendYAML

/// Two engines with `--shards 2`: each reconciles exactly the objects of its shard, together all of them.
extension EngineClusterTests {
    @Test func twoShardsReconcileDisjointHalves() async throws {
        let cluster = try LocalCluster.require()
        let setup = KubeClient(configuration: cluster.configuration)
        let ns = "shard-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await setup.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        let rule = try #require(RuleCompiler.compile(try YAML.parse("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(ns)}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {sharded: "yes"}}}
              children:
                - id: reply
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-reply"}, data: {from: "${self.metadata.name}"}}
            """, file: "shard.yaml")).rule)
        let configMaps = try await setup.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        let count = 20
        for n in 0..<count {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("src-\(n)"), "labels": ["sharded": "yes"]]])
        }
        var logger = Logger(label: "shard-test")
        logger.logLevel = .warning
        var engines: [(Engine, KubeClient, ShardFilter)] = []
        for index in 0..<2 {
            var options = EngineOptions()
            options.namespace = ns
            options.shard = ShardFilter(shards: 2, index: index)
            let client = KubeClient(configuration: cluster.configuration)
            engines.append((Engine(rules: [rule], client: client, options: options, logger: logger), client, options.shard!))
        }
        let tasks = engines.map { e in Task { try await e.0.run() } }
        defer { for t in tasks { t.cancel() } }
        await poll(until: "every object reconciled") {
            let items = (try? await configMaps.list(ListOptions(labelSelector: "tend.dev/rule=\(ns)")).items) ?? []
            return items.count == count
        }
        try await Task.sleep(for: .seconds(1))
        let keys = (0..<count).map { ObjectKey(namespace: ns, name: "src-\($0)") }
        for (engine, client, shard) in engines {
            let mine = keys.filter { shard.owns($0) }.count
            // Each of its objects: one apply of the child and one of the parent's inventory annotation.
            #expect(client.requestCounts["apply", default: 0] == 2 * mine, "shard \(shard): \(client.requestCounts)")
            #expect(mine > 0 && mine < count)
            _ = engine
        }
        for t in tasks { t.cancel() }
        _ = try? await namespaces.delete(ns)
        for (_, client, _) in engines { await client.shutdown() }
        await setup.shutdown()
    }
}
