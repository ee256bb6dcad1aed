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

/// A `for:` transition on the real control plane: it stays pending while its guard holds, then
/// fires on its own when due (the engine requeues the object; no other event arrives).
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct PhaseTimingClusterTests {
    static let probe = GroupVersionKind(apiVersion: "phases.tend-test.dev/v1", kind: "Probe")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!
    static let ruleText = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: probe-phases}
        spec:
          schema: {group: phases.tend-test.dev, version: v1, kind: Probe, spec: {healthy: {type: boolean}}}
          watch: {apiVersion: phases.tend-test.dev/v1, kind: Probe}
          status:
            phase:
              initial: Pending
              transitions:
                - {from: [Pending, Degraded], to: Running, when: "${self.spec.healthy}"}
                - {from: [Running], to: Degraded, when: "${!self.spec.healthy}", for: 3s, reason: Unhealthy, message: "healthy is false"}
        """

    @Test func aPendingTransitionFiresWhenDueWithoutAnyOtherEvent() async throws {
        let cluster = try LocalCluster.require()
        let (loaded, diagnostics) = RuleCompiler.compile(try YAML.parse(Self.ruleText, file: "probe.yaml"))
        let rule = try #require(loaded, "\(diagnostics)")
        var logger = Logger(label: "phase-timing-test")
        logger.logLevel = .warning
        let client = KubeClient(configuration: cluster.configuration)
        let crds = try await client.resource(Self.crdKind)
        let crdName = "probes.phases.tend-test.dev"
        if (try? await crds.get(crdName)) == nil {
            _ = try await crds.create(try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path))
        }
        await poll(until: "CRD established") {
            (try? await crds.get(crdName))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let ns = "phases-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        AwaitedCleanup.add { _ = try? await namespaces.delete(ns) }

        var probes: ResourceClient?
        await poll(until: "Probe served") {
            probes = try? await client.resource(Self.probe, namespace: ns)
            return probes != nil
        }
        let resource = try #require(probes)
        let engine = Engine(rules: [rule], client: client, options: EngineOptions(), logger: logger)
        let running = Task { try await engine.run() }
        defer { running.cancel() }

        _ = try await resource.create(["apiVersion": "phases.tend-test.dev/v1", "kind": "Probe", "metadata": ["name": "p"], "spec": ["healthy": true]])
        await poll(until: "Running") { (try? await resource.get("p"))?["status"]?["phase"] == "Running" }

        _ = try await resource.patch("p", .merge(["spec": ["healthy": false]]))
        let unhealthySince = ContinuousClock.now
        await poll(until: "pending transition recorded") { (try? await resource.get("p"))?["status"]?["pendingTransition"]?["to"] == "Degraded" }
        #expect((try await resource.get("p"))["status"]?["phase"] == "Running", "for: 3s must not fire at once")

        await poll(until: "Degraded after 3 s", timeout: .seconds(20)) { (try? await resource.get("p"))?["status"]?["phase"] == "Degraded" }
        let waited = ContinuousClock.now - unhealthySince
        #expect(waited >= .seconds(3), "fired after \(waited)")
        #expect(waited < .seconds(10), "fired only after \(waited): the requeue did not happen when due")
        let status = try #require(try await resource.get("p")["status"])
        #expect(status["pendingTransition"] == nil)
        #expect(status["phaseHistory"]?.arrayValue?.last?["reason"] == "Unhealthy")
        #expect(status["phaseHistory"]?.arrayValue?.last?["message"] == "healthy is false")

        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns).list(ListOptions())
        #expect(events.items.contains { $0["reason"] == "PhaseChanged" && $0["message"] == "Running -> Degraded (Unhealthy): healthy is false" },
                "\(events.items.map { $0["message"] ?? .null })")
        running.cancel()
        _ = try? await resource.delete("p")
        await client.shutdown()
    }
}
