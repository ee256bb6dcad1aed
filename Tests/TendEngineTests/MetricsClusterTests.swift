import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// `/metrics` of an engine reconciling against the real control plane, wired as `tend run` wires it:
/// one registry for the engine and its client, served by the health server.
@Suite(.enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(2)), .awaitsCleanup)
struct MetricsClusterTests {
    @Test func aReconcileShowsUpAtMetrics() async throws {
        let f = try await EngineFixture(prefix: "metrics")
        let (setup, ns) = (f.client, f.namespace)
        let rule = try EngineFixture.configMapRule(
            ns, label: "metrics-test", value: "yes", id: "reply", suffix: "reply", data: #"{from: "${self.metadata.name}"}"#, file: "metrics.yaml")
        let configMaps = try await setup.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "source", "labels": ["metrics-test": "yes"]]])

        let registry = MetricsRegistry()
        var clientOptions = KubeClient.Options()
        clientOptions.metrics = registry.factory
        var options = f.options()
        options.metrics = registry.factory
        let (engine, _) = f.start([rule], options: options, client: f.makeClient(options: clientOptions))
        let server = try HealthServer(
            host: "127.0.0.1", port: 0,
            metrics: {
                engine.updateMetrics()
                return registry.exposition()
            }
        ) { engine.isReady }

        var text = try PrometheusText("")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            text = try PrometheusText(try httpGet(server.port, "/metrics").body)
            if (text.value("tend_reconcile_total", ["rule": ns, "result": "success"]) ?? 0) >= 1 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect((try? await configMaps.get("source-reply")) != nil, "the child was created")
        #expect((text.value("tend_reconcile_total", ["rule": ns, "result": "success"]) ?? 0) >= 1)
        #expect((text.value("tend_child_writes_total", ["rule": ns, "operation": "create"]) ?? 0) >= 1)
        #expect((text.value("tend_workqueue_adds_total", ["rule": ns]) ?? 0) >= 1)
        #expect((text.value("tend_reconcile_duration_seconds_count", ["rule": ns]) ?? 0) >= 1)
        #expect(text.value("tend_watched_objects", ["rule": ns]) == 1)
        #expect(text.value("tend_rules") == 1)
        #expect(text.value("tend_leader") == 1)
        #expect((text.value("tend_rest_client_requests_total", ["verb": "create", "code": "201"]) ?? 0) >= 1, "the child's create")
        #expect((text.value("tend_rest_client_requests_total", ["verb": "list", "code": "200"]) ?? 0) >= 1)
        #expect(!text.samples.contains { $0.labels.values.contains("source") }, "no label names an object")
        server.stop()
    }
}
