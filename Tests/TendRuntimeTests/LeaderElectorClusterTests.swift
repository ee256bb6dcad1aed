import Foundation
import Testing
import TendKube
import TendMeta
import TendRuntime
import TendTesting
import TendValue

/// LeaderElector against the real Lease API, with short durations (lease 4 s, renew deadline 3 s,
/// retry 1 s) and several electors in one process.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun, "no local cluster configured (TEND_CLUSTER_DIR)"),
       .timeLimit(.minutes(2)))
struct LeaderElectorClusterTests {
    let cluster: LocalCluster

    init() throws {
        cluster = try LocalCluster.require()
    }

    typealias C = RuntimeCluster

    /// Tracks which identities are leading, and the most that ever led at once.
    final class Leadership: Sendable {
        private let state = Locked<(active: Set<String>, maxConcurrent: Int, starts: [String])>(([], 0, []))

        func lead(_ identity: String) async {
            state.withLock { s in
                s.active.insert(identity)
                s.starts.append(identity)
                s.maxConcurrent = max(s.maxConcurrent, s.active.count)
            }
            // The writers: run until cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
            state.withLock { _ = $0.active.remove(identity) }
        }

        var active: Set<String> { state.value.active }
        var maxConcurrent: Int { state.value.maxConcurrent }
        var starts: [String] { state.value.starts }
    }

    struct Candidate {
        var elector: LeaderElector
        var task: Task<Void, any Error>
    }

    static func start(_ client: KubeClient, ns: String, lease: String, _ identity: String, release: Bool, _ leadership: Leadership) -> Candidate {
        let elector = LeaderElector(
            client: client, leaseNamespace: ns, leaseName: lease, identity: identity,
            configuration: .init(leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .seconds(1), releaseOnCancel: release))
        let task = Task { try await elector.run { await leadership.lead(identity) } }
        return Candidate(elector: elector, task: task)
    }

    @Test func oneLeaderThenHandOverOnCrashAndOnRelease() async throws {
        try await C.withNamespace(cluster, "lease") { client, ns in
            let leadership = Leadership()
            let leases = client.resource(
                APIResource(groupVersion: GroupVersion(group: "coordination.k8s.io", version: "v1"), name: "leases", kind: "Lease", namespaced: true),
                namespace: ns)

            // a (which will "crash": no release on cancel) starts first and leads.
            let a = Self.start(client, ns: ns, lease: "tend", "a", release: false, leadership)
            try await C.until("a leads", timeout: .seconds(10)) { a.elector.isLeader }
            let b = Self.start(client, ns: ns, lease: "tend", "b", release: true, leadership)
            try await Task.sleep(for: .seconds(3))
            #expect(a.elector.isLeader && !b.elector.isLeader && leadership.active == ["a"])
            let held = try await leases.get("tend")
            #expect(held["spec"]?["holderIdentity"] == "a" && held["spec"]?["leaseDurationSeconds"] == 4)
            #expect(held["spec"]?["renewTime"]?.stringValue.flatMap { WallTime(parsing: $0) } != nil, "MicroTime")

            // kill -9 of a: it stops renewing without releasing; b takes over once the lease expires.
            let killed = ContinuousClock.now
            a.task.cancel()
            _ = try? await a.task.value
            #expect(!a.elector.isLeader && !leadership.active.contains("a"))
            try await C.until("b leads", timeout: .seconds(10)) { b.elector.isLeader }
            let crashHandover = ContinuousClock.now - killed
            print("[measure] handover after a crash (lease 4 s, retry 1 s): \(crashHandover)")
            #expect(crashHandover >= .seconds(2) && crashHandover <= .seconds(7))

            // c joins; b shuts down gracefully and releases: c takes over at its next retry.
            let c = Self.start(client, ns: ns, lease: "tend", "c", release: true, leadership)
            try await Task.sleep(for: .seconds(2))
            #expect(b.elector.isLeader && !c.elector.isLeader)
            let released = ContinuousClock.now
            b.task.cancel()
            _ = try? await b.task.value
            // The release itself: b cleared the holder on its way out (or c already took the lease).
            let holderAfterRelease = try await leases.get("tend")["spec"]?["holderIdentity"]?.stringValue ?? ""
            #expect(holderAfterRelease == "" || holderAfterRelease == "c", "b released the lease: holder \(holderAfterRelease)")
            try await C.until("c leads", timeout: .seconds(10)) { c.elector.isLeader }
            let releaseHandover = ContinuousClock.now - released
            print("[measure] handover after a release (retry 1 s): \(releaseHandover)")
            // Sooner than waiting for the lease to expire (4 s after b's last renewal); about 1 s on
            // a quiet machine, more on a loaded one.
            #expect(releaseHandover < .seconds(4))

            let final = try await leases.get("tend")
            #expect(final["spec"]?["holderIdentity"] == "c")
            #expect(final["spec"]?["leaseTransitions"] == 2)
            c.task.cancel()
            _ = try? await c.task.value
            let afterRelease = try await leases.get("tend")
            #expect(afterRelease["spec"]?["holderIdentity"] == "" && afterRelease["spec"]?["leaseDurationSeconds"] == 1)
            #expect(leadership.maxConcurrent == 1, "never two leaders at once")
            #expect(leadership.starts == ["a", "b", "c"])
        }
    }

    @Test func leaderStepsDownWhenTheLeaseIsTakenAway() async throws {
        try await C.withNamespace(cluster, "steal") { client, ns in
            let leadership = Leadership()
            let a = Self.start(client, ns: ns, lease: "tend", "a", release: true, leadership)
            try await C.until("a leads", timeout: .seconds(10)) { a.elector.isLeader }
            // Someone else writes the lease (a second elector with a clock far ahead would do the same).
            let leases = client.resource(
                APIResource(groupVersion: GroupVersion(group: "coordination.k8s.io", version: "v1"), name: "leases", kind: "Lease", namespaced: true),
                namespace: ns)
            var lease = try await leases.get("tend")
            lease["spec"]?["holderIdentity"] = "intruder"
            lease["spec"]?["leaseDurationSeconds"] = 30
            _ = try await leases.update(lease)
            try await C.until("a steps down", timeout: .seconds(5)) { !a.elector.isLeader && leadership.active.isEmpty }
            a.task.cancel()
            _ = try? await a.task.value
            let after = try await leases.get("tend")
            #expect(after["spec"]?["holderIdentity"] == "intruder", "a releases only a lease it holds")
        }
    }
}
