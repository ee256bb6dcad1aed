import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// The periodic resync wired into the engine: with a short period and nothing changing, every
/// watched object goes through the rule's work queue again (counted by the queue's adds metric), and
/// the no-op reconciles write nothing.
@Suite(.enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ResyncClusterTests {
    @Test func watchedObjectsAreQueuedAgainEachPeriodWithoutWrites() async throws {
        let f = try await EngineFixture(prefix: "resync")
        let (client, ns, marker) = (f.client, f.namespace, f.marker)
        let rule = try EngineFixture.configMapRule("resync-\(marker)", label: "resync-test", value: marker, data: #"{value: "${self.data.value}"}"#)
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        for name in ["a", "b"] {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": ["resync-test": .string(marker)]], "data": ["value": "1"]])
        }
        let registry = MetricsRegistry()
        var options = f.options()
        options.metrics = registry.factory
        options.resyncPeriod = .seconds(1)
        _ = f.start([rule], options: options)
        func metric(_ name: String, _ labels: [String: String] = [:]) -> Double {
            let text = (try? PrometheusText(String(decoding: registry.exposition(), as: UTF8.self)))
            return text?.value(name, labels.merging(["rule": "resync-\(marker)"]) { a, _ in a }) ?? 0
        }
        func adds() -> Double { metric("tend_workqueue_adds_total") }
        // Child writes, from the engine's own counter (Events written in the background are not counted).
        func childWrites() -> Double { ["create", "update", "delete", "orphan"].map { metric("tend_child_writes_total", ["operation": $0]) }.reduce(0, +) }
        func copies() async -> Int { ((try? await configMaps.list().items) ?? []).filter { $0["metadata"]?["name"]?.stringValue?.hasSuffix("-copy") == true }.count }
        var deadline = ContinuousClock.now + .seconds(60)
        while await copies() < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(await copies() == 2, "children created")
        // Settled: then, with nothing changing, adds keep coming from the resync alone.
        try await Task.sleep(for: .seconds(1))
        let writes = childWrites()
        #expect(writes >= 2, "the two creates are counted")
        let before = adds()
        deadline = ContinuousClock.now + .seconds(60)
        while adds() < before + 4, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(adds() >= before + 4, "two resyncs of two objects: adds \(before) -> \(adds())")
        #expect(childWrites() == writes, "a resync of an unchanged world writes no child")
    }
}
