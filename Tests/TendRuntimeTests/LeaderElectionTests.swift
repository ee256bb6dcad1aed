import TendRuntime
import Testing

/// Drives the machine like the I/O layer would, against an in-memory Lease with resourceVersions.
struct LeaseHarness {
    var machine: LeaderElectionStateMachine
    var now = RuntimeInstant.zero
    var lease: ObservedLease?
    var version = 0
    var log: [LeaderElectionStateMachine.Action] = []

    init(identity: String) {
        machine = LeaderElectionStateMachine(.init(identity: identity))
    }

    /// How far the wall clock has been stepped away from the monotonic one (C4 #20).
    var wallJump: Duration = .zero

    var wall: WallTime { WallTime(microsecondsSinceEpoch: Int64((now.offset + wallJump).components.seconds) * 1_000_000) }

    /// Sends an input and performs I/O actions against `lease` until the machine waits.
    /// `failWrites`/`failReads` simulate a partition.
    mutating func step(_ input: LeaderElectionStateMachine.Input, failReads: Bool = false, failWrites: Bool = false) {
        var pending = machine.handle(input, now: now, wallTime: wall)
        while !pending.isEmpty {
            let action = pending.removeFirst()
            log.append(action)
            switch action {
            case .read:
                pending += machine.handle(failReads ? .readFailed : .observed(lease), now: now, wallTime: wall)
            case .create(let record):
                if failWrites || lease != nil {
                    pending += machine.handle(.writeFailed, now: now, wallTime: wall)
                } else {
                    version += 1
                    lease = ObservedLease(record: record, resourceVersion: "\(version)")
                    pending += machine.handle(.writeSucceeded(lease!), now: now, wallTime: wall)
                }
            case .update(let record, let rv):
                if failWrites || lease?.resourceVersion != rv {
                    pending += machine.handle(.writeFailed, now: now, wallTime: wall)
                } else {
                    version += 1
                    lease = ObservedLease(record: record, resourceVersion: "\(version)")
                    pending += machine.handle(.writeSucceeded(lease!), now: now, wallTime: wall)
                }
            case .startLeading, .stopLeading, .wait:
                break
            }
        }
    }

    mutating func takeLog() -> [LeaderElectionStateMachine.Action] {
        defer { log = [] }
        return log
    }
}

@Suite("LeaderElectionStateMachine")
struct LeaderElectionTests {
    @Test func createsTheLeaseAndLeads() {
        var h = LeaseHarness(identity: "a")
        h.step(.tick)
        let record = LeaseRecord(
            holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: h.wall, renewTime: h.wall, leaseTransitions: 0)
        #expect(h.takeLog() == [.read, .create(record), .startLeading, .wait(until: .at(.seconds(2)))])
        #expect(h.machine.isLeader)
        #expect(h.machine.stepDownDeadline == .at(.seconds(10)))
    }

    @Test func renewsKeepingAcquireTimeAndTransitions() {
        var h = LeaseHarness(identity: "a")
        h.step(.tick)
        h.now = .at(.seconds(2))
        h.step(.tick)
        #expect(h.lease?.record.acquireTime == WallTime(microsecondsSinceEpoch: 0))
        #expect(h.lease?.record.renewTime == WallTime(microsecondsSinceEpoch: 2_000_000))
        #expect(h.lease?.record.leaseTransitions == 0)
        #expect(h.machine.stepDownDeadline == .at(.seconds(12)))
        #expect(h.takeLog().filter { $0 == .startLeading }.count == 1)  // started once, not again on renewal
    }

    @Test func followerWaitsUntilTheLeaseExpiresThenTakesOver() {
        var a = LeaseHarness(identity: "a")
        a.step(.tick)
        var b = LeaseHarness(identity: "b")
        b.lease = a.lease
        b.version = a.version
        b.step(.tick)  // observes a's record at t=0
        #expect(!b.machine.isLeader)
        #expect(b.takeLog() == [.read, .wait(until: .at(.seconds(2)))])
        // a stops renewing. b takes over only once 15 s passed since it observed the last change.
        b.now = .at(.ms(14_999))
        b.step(.tick)
        #expect(!b.machine.isLeader)
        b.now = .at(.seconds(15))
        b.step(.tick)
        #expect(b.machine.isLeader)
        #expect(b.lease?.record.holderIdentity == "b")
        #expect(b.lease?.record.leaseTransitions == 1)
    }

    @Test func expiryIsMeasuredFromObservationNotFromTheRecordedWallTime() {
        // The record claims a renewal far in the past (skewed clock); b still waits a full lease
        // duration from when it first saw the record.
        var b = LeaseHarness(identity: "b")
        b.now = .at(.seconds(1000))
        b.lease = ObservedLease(
            record: LeaseRecord(
                holderIdentity: "a", leaseDurationSeconds: 15, renewTime: WallTime(microsecondsSinceEpoch: 0)),
            resourceVersion: "7")
        b.version = 7
        b.step(.tick)
        #expect(!b.machine.isLeader)
        b.now = .at(.seconds(1014))
        b.step(.tick)
        #expect(!b.machine.isLeader)
        b.now = .at(.seconds(1015))
        b.step(.tick)
        #expect(b.machine.isLeader)
    }

    /// C4 #20: the wall clock steps +1 h, and later back by 1 h, on both candidates while a leads,
    /// is partitioned, steps down and b takes over. Who leads, second by second, is exactly what
    /// it is with a steady wall clock: expiry, renewal and step-down run on the monotonic clock.
    @Test func wallClockJumpsChangeNoLeadershipDecision() {
        func trace(jumps: [(at: Int, to: Duration)]) -> [String] {
            var a = LeaseHarness(identity: "a"), b = LeaseHarness(identity: "b")
            var server: ObservedLease?, version = 0
            var out: [String] = []
            for second in 0...45 {
                for jump in jumps where jump.at == second {
                    a.wallJump = jump.to
                    b.wallJump = jump.to
                }
                a.now = .at(.seconds(second))
                b.now = a.now
                let partitioned = (12...30).contains(second)
                a.lease = server
                a.version = version
                a.step(.tick, failReads: partitioned, failWrites: partitioned)
                if !partitioned { (server, version) = (a.lease, a.version) }
                b.lease = server
                b.version = version
                b.step(.tick)
                (server, version) = (b.lease, b.version)
                out.append("\(second): a=\(a.machine.isLeader) b=\(b.machine.isLeader) holder=\(server?.record.holderIdentity ?? "-")")
            }
            return out
        }
        let steady = trace(jumps: [])
        #expect(steady.first == "0: a=true b=false holder=a")
        #expect(steady.contains { $0.hasSuffix("a=false b=true holder=b") }, "b took over")
        #expect(!steady.contains { $0.contains("a=true b=true") }, "never two leaders")
        #expect(trace(jumps: [(at: 5, to: .seconds(3600))]) == steady, "+1 h")
        #expect(trace(jumps: [(at: 3, to: .seconds(7200)), (at: 14, to: .seconds(3600))]) == steady, "+2 h, then back 1 h mid-partition")
    }

    @Test func leaderStepsDownBeforeAnotherCanAcquire() {
        var a = LeaseHarness(identity: "a")
        a.step(.tick)  // renewal sent at t=0 succeeded
        _ = a.takeLog()
        // Partition: every renewal fails from now on. Ticks arrive as the machine asks.
        var stoppedAt: RuntimeInstant?
        a.now = .at(.seconds(2))
        while stoppedAt == nil && a.now < .at(.seconds(20)) {
            a.step(.tick, failReads: true)
            if a.takeLog().contains(.stopLeading) { stoppedAt = a.now }
            a.now = a.now + .seconds(1)
        }
        // Stepped down at the renew deadline (10 s after the last successful renewal was sent),
        // strictly before any other candidate could consider the lease expired (15 s).
        #expect(stoppedAt == .at(.seconds(10)))
        #expect(!a.machine.isLeader)
        #expect(a.machine.stepDownDeadline == nil)
    }

    @Test func waitsNeverOverrunTheStepDownDeadline() {
        var h = LeaseHarness(identity: "a")
        h.step(.tick)
        h.now = .at(.ms(9500))
        let actions = h.machine.handle(.readFailed, now: h.now, wallTime: h.wall)
        #expect(actions == [.wait(until: .at(.seconds(10)))])
    }

    @Test func lateWriteSuccessDoesNotResurrectLeadership() {
        var m = LeaderElectionStateMachine(.init(identity: "a"))
        let w = WallTime(microsecondsSinceEpoch: 0)
        _ = m.handle(.observed(nil), now: .zero, wallTime: w)  // create sent at t=0
        let record = LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 15)
        let actions = m.handle(.writeSucceeded(.init(record: record, resourceVersion: "1")), now: .at(.seconds(11)), wallTime: w)
        #expect(!m.isLeader)
        #expect(!actions.contains(.startLeading))
    }

    @Test func conflictMeansSomeoneElseWon() {
        var h = LeaseHarness(identity: "b")
        // An expired lease held by "a"; b's update races with a's renewal and loses (409).
        h.lease = ObservedLease(record: LeaseRecord(holderIdentity: "", leaseDurationSeconds: 15), resourceVersion: "3")
        h.version = 3
        var actions = h.machine.handle(.tick, now: h.now, wallTime: h.wall)
        #expect(actions == [.read])
        actions = h.machine.handle(.observed(h.lease), now: h.now, wallTime: h.wall)
        guard case .update(_, let rv) = actions.first else {
            Issue.record("expected an update")
            return
        }
        #expect(rv == "3")
        actions = h.machine.handle(.writeFailed, now: h.now, wallTime: h.wall)
        #expect(actions == [.wait(until: .at(.seconds(2)))])
        #expect(!h.machine.isLeader)
    }

    @Test func releaseOnShutdownStopsFirstThenClearsTheHolder() {
        var h = LeaseHarness(identity: "a")
        h.step(.tick)
        _ = h.takeLog()
        h.now = .at(.seconds(1))
        h.step(.shutdown)
        let log = h.takeLog()
        #expect(log.first == .stopLeading)
        guard case .update(let record, _) = log.dropFirst().first else {
            Issue.record("expected a release update")
            return
        }
        #expect(record.holderIdentity == nil)
        #expect(record.leaseDurationSeconds == 1)
        #expect(h.lease?.record.isHeld == false)
        #expect(h.machine.role == .stopped)
        #expect(h.machine.handle(.tick, now: h.now, wallTime: h.wall) == [])
        // A successor takes over at once: the lease is released.
        var b = LeaseHarness(identity: "b")
        b.lease = h.lease
        b.version = h.version
        b.step(.tick)
        #expect(b.machine.isLeader)
    }

    @Test func followerShutdownReleasesNothing() {
        var m = LeaderElectionStateMachine(.init(identity: "a"))
        #expect(m.handle(.shutdown, now: .zero, wallTime: WallTime(microsecondsSinceEpoch: 0)) == [])
    }
}
