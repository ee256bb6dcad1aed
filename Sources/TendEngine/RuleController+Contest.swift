public import CoreMetrics
import Logging
import Synchronization
import TendKube
import TendRules
import TendRuntime
import TendValue

/// One rule's ``ContestTracker`` with its clock and its counter, `tend_child_contested_total{rule}`.
final class ContestGuard: Sendable {
    static let metricName = "tend_child_contested_total"

    let clock: any RuntimeClock
    let tracker: Mutex<ContestTracker>
    let contested: Counter

    init(rule: String, clock: any RuntimeClock = SystemClock(), policy: ContestTracker.Policy = .init(), metrics: any MetricsFactory) {
        self.clock = clock
        tracker = Mutex(ContestTracker(policy: policy))
        contested = Counter(label: Self.metricName, dimensions: [("rule", rule)], factory: metrics)
    }
}

extension RuleController {
    /// `plan` with the drift re-applies of contested children held back (see ``ContestTracker``).
    ///
    /// Every planned child is reported to the tracker. A held child is not applied in this
    /// reconcile (its action becomes ``PlannedChild/Action/unchanged``; other children and the
    /// status go on) and the plan asks to be reconciled again when the hold ends. When a child
    /// becomes contested, one Warning Event `ChildContested` is recorded on the watched object,
    /// naming the drifted fields and the other managers (read from the API server: the cache has
    /// no `managedFields`), before the apply.
    func holdingContested(_ plan: ReconcilePlan, parent: Value) async -> ReconcilePlan {
        var plan = plan
        let now = contests.clock.now
        let decisions = contests.tracker.withLock { tracker in
            plan.children.map { child -> ContestTracker.Decision? in
                let hash = child.desired["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation]?.stringValue ?? ""
                if child.action == .update, child.drift != nil {
                    return tracker.drifted(child.reference, desiredHash: hash, now: now)
                }
                // An unchanged child that still carries a drift is a re-apply already in flight.
                if child.drift == nil && (child.action == .unchanged || child.action.isWrite) {
                    tracker.planned(child.reference, desiredHash: hash, now: now)
                }
                return nil
            }
        }
        var hold: Duration?
        for (i, decision) in decisions.enumerated() {
            switch decision {
            case .hold(let until)?:
                plan.children[i].action = .unchanged
                let wait = max(until - now, .milliseconds(1))
                hold = min(hold ?? wait, wait)
                logger.debug("holding a contested child", metadata: ["object": "\(plan.parent)", "child": "\(plan.children[i].reference)", "seconds": "\(wait.seconds)"])
            case .applyAndAnnounce?:
                await announceContest(plan.children[i], parent: parent)
            case .apply?, nil:
                break
            }
        }
        if let hold { plan.requeueAfter = min(plan.requeueAfter ?? hold, hold) }
        return plan
    }

    /// Records the `ChildContested` Event and counts the contest.
    private func announceContest(_ child: PlannedChild, parent: Value) async {
        var drift = child.drift ?? Drift(paths: [])
        // The cache drops managedFields: read them from the server, before Tend's apply takes the field back.
        if let resource = try? await client.resource(child.kind, namespace: child.key.namespace.isEmpty ? nil : child.key.namespace),
            let live = try? await resource.get(child.key.name),
            let fresh = Drift.analyze(desired: child.desired, live: live)
        {
            drift = fresh
        }
        let policy = contests.tracker.withLock { $0.policy }
        let message = Self.contestMessage(child.reference, drift: drift, policy: policy)
        contests.contested.increment()
        logger.warning("child contested by another writer", metadata: ["object": "\(ObjectKey(of: parent).map { "\($0)" } ?? "")", "child": "\(child.reference)", "fields": "\(drift.pathList)", "managers": "\(drift.managerList ?? "unknown")"])
        events.record(parent, type: .warning, reason: "ChildContested", message: message)
    }

    /// `ConfigMap ns/web-config: data.x is also changed by rival (Update); re-applied 5 times in
    /// 60s, now backing off. Remove the field from the template, or stop the other writer.`
    static func contestMessage(_ reference: ObjectReference, drift: Drift, policy: ContestTracker.Policy) -> String {
        let verb = drift.paths.count == 1 ? "is" : "are"
        let who = drift.managerList ?? "another writer"
        return "\(reference.kind.kind) \(reference.key): \(drift.pathList) \(verb) also changed by \(who); re-applied \(policy.threshold) times in \(Int(policy.window.seconds))s, now backing off. Remove the field from the template, or stop the other writer."
    }
}
