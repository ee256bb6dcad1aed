import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// A `for:` transition on the real control plane: it stays pending while its guard holds, then
/// fires on its own when due (the engine requeues the object; no other event arrives).
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct PhaseTimingClusterTests {
    static let probe = GroupVersionKind(apiVersion: "phases.tend-test.dev/v1", kind: "Probe")!
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
        let rule = try EngineFixture.rule(Self.ruleText, file: "probe.yaml")
        let f = try await EngineFixture(prefix: "phases")
        try await f.installCRD(rule)
        let resource = try await f.resource(Self.probe)
        let (_, running) = f.start([rule], options: EngineOptions())

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

        let events = try await f.events()
        #expect(events.contains { $0["reason"] == "PhaseChanged" && $0["message"] == "Running -> Degraded (Unhealthy): healthy is false" },
                "\(events.map { $0["message"] ?? .null })")
        running.cancel()
        _ = try? await resource.delete("p")
    }
}
