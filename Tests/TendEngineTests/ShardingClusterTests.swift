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

/// Two engines with `--shards 2`: each reconciles exactly the objects of its shard, together all of them.
extension EngineClusterTests {
    @Test func twoShardsReconcileDisjointHalves() async throws {
        let f = try await EngineFixture(prefix: "shard")
        let (setup, ns) = (f.client, f.namespace)
        let rule = try EngineFixture.configMapRule(
            ns, label: "sharded", value: "yes", id: "reply", suffix: "reply", data: #"{from: "${self.metadata.name}"}"#, file: "shard.yaml")
        let configMaps = try await setup.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        let count = 20
        for n in 0..<count {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("src-\(n)"), "labels": ["sharded": "yes"]]])
        }
        var engines: [(Engine, KubeClient, ShardFilter)] = []
        for index in 0..<2 {
            var options = f.options()
            options.shard = ShardFilter(shards: 2, index: index)
            let client = f.makeClient()
            engines.append((f.start([rule], options: options, client: client).0, client, options.shard!))
        }
        await poll(until: "every object reconciled") {
            let items = (try? await configMaps.list(ListOptions(labelSelector: "tend.dev/rule=\(ns)")).items) ?? []
            return items.count == count
        }
        try await Task.sleep(for: .seconds(1))
        let keys = (0..<count).map { ObjectKey(namespace: ns, name: "src-\($0)") }
        for (engine, client, shard) in engines {
            let mine = keys.filter { shard.owns($0) }.count
            // Each of its objects: one create of the child. The kind is recorded once by each shard: a
            // create of the record, or, when the other shard created it first, a merge patch after
            // the create's AlreadyExists (adding, never removing, so neither loses the other's entry).
            #expect(client.requestCounts["apply", default: 0] == 0, "shard \(shard): \(client.requestCounts)")
            let recordWrites = client.requestCounts["patch", default: 0] + client.requestCounts["create", default: 0] - mine
            #expect((1...2).contains(recordWrites), "shard \(shard): \(client.requestCounts)")
            #expect(mine > 0 && mine < count)
            _ = engine
        }
    }
}
