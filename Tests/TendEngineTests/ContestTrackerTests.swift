import Testing
@testable import TendEngine
import TendMeta
import TendRules
import TendRuntime
import TendTesting
import TendValue

/// The contest state machine on a manual clock: threshold, one announcement, backoff, ends.
struct ContestTrackerTests {
    let child = ObjectReference(kind: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, key: ObjectKey(namespace: "shop", name: "web-config"))
    let other = ObjectReference(kind: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, key: ObjectKey(namespace: "shop", name: "other"))

    /// Drives `tracker` through `count` drift re-applies one second apart, the child seen matching
    /// after each (Tend's own write showing up); returns the decisions.
    func fight(_ tracker: inout ContestTracker, _ clock: ManualClock, count: Int, hash: String = "h1") -> [ContestTracker.Decision] {
        (0..<count).map { _ in
            clock.advance(by: .seconds(1))
            let d = tracker.drifted(child, desiredHash: hash, now: clock.now)
            tracker.planned(child, desiredHash: hash, now: clock.now)
            return d
        }
    }

    @Test func fiveDriftReappliesInAMinuteMakeAContestAnnouncedOnce() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        #expect(fight(&tracker, clock, count: 5) == [.apply, .apply, .apply, .apply, .applyAndAnnounce])
        #expect(tracker.isContested(child))
        #expect(!tracker.isContested(other))
        // Held for 5 s after the announcing apply: drift meanwhile is not applied, nor announced again.
        clock.advance(by: .seconds(1))
        let announcedAt = clock.now - .seconds(1)
        #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) == .hold(until: announcedAt + .seconds(5)))
        clock.advance(by: .seconds(2))
        #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) == .hold(until: announcedAt + .seconds(5)))
    }

    @Test func slowDriftIsNoContest() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        for _ in 0..<10 {
            clock.advance(by: .seconds(16))
            #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) == .apply)
        }
        #expect(!tracker.isContested(child))
    }

    @Test func holdsDoubleUpToTheCap() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = fight(&tracker, clock, count: 5)
        var holds: [Duration] = []
        var last = clock.now
        // The rival changes the child every second; Tend applies only when a hold has ended.
        for _ in 0..<2000 {
            clock.advance(by: .seconds(1))
            switch tracker.drifted(child, desiredHash: "h1", now: clock.now) {
            case .apply:
                holds.append(clock.now - last)
                last = clock.now
            case .applyAndAnnounce: Issue.record("announced twice")
            case .hold: break
            }
        }
        #expect(Array(holds.prefix(8)) == [5, 10, 20, 40, 80, 160, 300, 300].map { Duration.seconds($0) })
        #expect(holds.allSatisfy { $0 <= .seconds(300) })
        #expect(tracker.isContested(child))
    }

    @Test func twoQuietMinutesEndTheContest() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = fight(&tracker, clock, count: 5)
        clock.advance(by: .seconds(30))
        tracker.planned(child, desiredHash: "h1", now: clock.now)
        #expect(tracker.isContested(child), "30 s of quiet is not enough")
        clock.advance(by: .seconds(95))
        // 2 minutes after it was first seen matching: over, and drift is re-applied at once again.
        #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) == .apply)
        #expect(!tracker.isContested(child))
        // A new contest is announced again.
        #expect(fight(&tracker, clock, count: 4) == [.apply, .apply, .apply, .applyAndAnnounce])
    }

    @Test func quietSeenByAReconcileEndsTheContest() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = fight(&tracker, clock, count: 5)
        clock.advance(by: .seconds(121))
        tracker.planned(child, desiredHash: "h1", now: clock.now)
        #expect(!tracker.isContested(child))
        #expect(tracker.count == 0)
    }

    @Test func driftWhileHeldIsNotQuiet() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = fight(&tracker, clock, count: 5)
        clock.advance(by: .seconds(1))
        #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) != .apply)
        // No reconcile for 3 minutes (the live object stays drifted): still contested.
        clock.advance(by: .seconds(180))
        #expect(tracker.drifted(child, desiredHash: "h1", now: clock.now) == .apply)
        #expect(tracker.isContested(child))
    }

    @Test func aNewDesiredObjectEndsTheContest() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = fight(&tracker, clock, count: 5)
        clock.advance(by: .seconds(1))
        // The template changed: planned as an update that is not drift.
        tracker.planned(child, desiredHash: "h2", now: clock.now)
        #expect(!tracker.isContested(child))
        #expect(tracker.drifted(child, desiredHash: "h2", now: clock.now) == .apply)
        // Or first seen again as drift under the new hash.
        var other = ContestTracker()
        _ = fight(&other, clock, count: 5)
        clock.advance(by: .seconds(1))
        #expect(other.drifted(child, desiredHash: "h3", now: clock.now) == .apply)
        #expect(!other.isContested(child))
    }

    @Test func entriesOfChildrenNotSeenAreForgotten() {
        let clock = ManualClock()
        var tracker = ContestTracker()
        _ = tracker.drifted(other, desiredHash: "h1", now: clock.now)
        _ = fight(&tracker, clock, count: 5)
        #expect(tracker.count == 2)
        clock.advance(by: .seconds(1000))
        _ = tracker.drifted(child, desiredHash: "h1", now: clock.now)
        #expect(tracker.count == 1)
    }

    @Test func theEventNamesTheChildFieldsAndManagers() {
        let drift = Drift(paths: [try! FieldPath(parsing: "data.x")], managers: [.init(name: "rival", operation: "Update")])
        #expect(RuleController.contestMessage(child, drift: drift, policy: .init())
            == "ConfigMap shop/web-config: data.x is also changed by rival (Update); re-applied 5 times in 60s, now backing off. Remove the field from the template, or stop the other writer.")
        let unknown = Drift(paths: [try! FieldPath(parsing: "data.x"), try! FieldPath(parsing: "data.y")])
        #expect(RuleController.contestMessage(child, drift: unknown, policy: .init()).hasPrefix("ConfigMap shop/web-config: data.x, data.y are also changed by another writer;"))
    }
}
