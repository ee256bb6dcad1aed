import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// A time-driven rule on the real control plane (examples/time/expiry.yaml): a grant that expires
/// in a few seconds changes phase and loses its child when the time comes, with no other event; the
/// engine requeued it for the instant its comparison with `now` changes.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "grants.example.com"), .awaitsCleanup)
struct TimeDrivenClusterTests {
    static let grant = GroupVersionKind(apiVersion: "example.com/v1", kind: "Grant")!
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aGrantExpiresOnTimeWithoutAnotherEvent() async throws {
        let loaded = RuleLoader().load(paths: [Self.root.appendingPathComponent("examples/time/expiry.yaml").path])
        let rule = try #require(loaded.rules.first, "\(loaded.diagnostics)")
        let f = try await EngineFixture(prefix: "time")
        try await f.installCRD(rule)
        let grants = try await f.resource(Self.grant)
        let configMaps = try await f.resource(EngineFixture.configMapKind)
        _ = f.start([rule])

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
    }
}
