import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue
import TendYAML

/// A time-driven rule on the real control plane (examples/time/expiry.yaml): a grant that expires
/// in a few seconds changes phase and loses its child when the time comes, with no other event; the
/// engine requeued it for the instant its comparison with `now` changes.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "grants.example.com"))
struct TimeDrivenClusterTests {
    static let grant = GroupVersionKind(apiVersion: "example.com/v1", kind: "Grant")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aGrantExpiresOnTimeWithoutAnotherEvent() async throws {
        let cluster = try LocalCluster.require()
        let loaded = RuleLoader().load(paths: [Self.root.appendingPathComponent("examples/time/expiry.yaml").path])
        let rule = try #require(loaded.rules.first, "\(loaded.diagnostics)")
        var logger = Logger(label: "time-driven-test")
        logger.logLevel = .warning
        let client = KubeClient(configuration: cluster.configuration)
        let crds = try await client.resource(Self.crdKind)
        _ = try await crds.apply(try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path), fieldManager: "tend-test", force: true)
        await poll(until: "CRD established") {
            (try? await crds.get("grants.example.com"))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let ns = "time-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        var served: ResourceClient?
        await poll(until: "Grant served") {
            served = try? await client.resource(Self.grant, namespace: ns)
            return served != nil
        }
        let grants = try #require(served)
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        var options = EngineOptions()
        options.namespace = ns
        let engine = Engine(rules: [rule], client: client, options: options, logger: logger)
        let running = Task { try await engine.run() }

        // Whole seconds, as the time is written.
        let expiresAt = try #require(RFC3339.parse(RFC3339.format(Date().addingTimeInterval(6))))
        _ = try await grants.create([
            "apiVersion": "example.com/v1", "kind": "Grant", "metadata": ["name": "g"],
            "spec": ["user": "alice", "expiresAt": .string(RFC3339.format(expiresAt))],
        ])
        await poll(until: "Active with its access", timeout: .seconds(20)) {
            let active = (try? await grants.get("g"))?["status"]?["phase"] == "Active"
            let access = (try? await configMaps.get("g-access")) != nil
            return active && access
        }
        #expect(Date() < expiresAt, "the set-up took too long for the test to mean anything")
        await poll(until: "Expired", timeout: .seconds(30)) { (try? await grants.get("g"))?["status"]?["phase"] == "Expired" }
        let late = Date().timeIntervalSince(expiresAt)
        #expect(late >= 0 && late < 4, "expired \(late) s after its time")
        await poll(until: "access removed", timeout: .seconds(10)) { (try? await configMaps.get("g-access")) == nil }
        // Nothing but Tend's own writes happened in between: the grant's spec is unchanged.
        #expect(try await grants.get("g")["metadata"]?["generation"] == 1)

        running.cancel()
        _ = try? await running.value
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }
}
