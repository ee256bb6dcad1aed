import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// Readiness is not held hostage by one rule whose CRD is not installed: the other rules run and
/// the process is ready; `/readyz?verbose` says which rule waits.
@Suite(.enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(2)), .awaitsCleanup)
struct ReadinessClusterTests {
    @Test func aRuleWaitingForItsCRDDoesNotHoldReadiness() async throws {
        let f = try await EngineFixture(prefix: "ready")
        let (client, ns) = (f.client, f.namespace)
        let served = try EngineFixture.configMapRule("served", label: "ready-test", value: "yes")
        let missing = try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: missing}
            spec:
              watch: {apiVersion: nowhere.tend-test.dev/v1, kind: Ghost}
            """)
        let (engine, _) = f.start([served, missing], logLevel: .error)
        await poll(until: "ready with one rule waiting") { engine.isReady }
        let lines = engine.readiness.lines
        #expect(lines.contains("[+]rule served ok"), "\(lines)")
        #expect(lines.contains("[+]rule missing waiting for Ghost.v1.nowhere.tend-test.dev to be served (is its CRD installed?)"), "\(lines)")
        // The other rule works.
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "labels": ["ready-test": "yes"]]])
        await poll(until: "the served rule reconciles") { (try? await configMaps.get("a-copy")) != nil }
    }
}
