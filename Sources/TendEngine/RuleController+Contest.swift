public import CoreMetrics
import Logging
import Synchronization
import TendKube
import TendMeta
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
        return await holdingContestedFields(plan, parent: parent, now: now)
    }

    /// The same for the fields of the watched object the rule owns (`patch`, inventory, finalizer):
    /// the rule's last apply of them is remembered (``State/appliedFields``), and a plan that must
    /// apply the very same fields again, after the cache has shown the object since, means another
    /// writer changed them. Another rule setting the same field is such a writer: the two no longer
    /// take turns at full speed; after ``ContestTracker/Policy/threshold`` re-applies a Warning Event
    /// `FieldsContested` names the fields and the other manager (`rule other`), and the rule backs off.
    private func holdingContestedFields(_ plan: ReconcilePlan, parent: Value, now: RuntimeInstant) async -> ReconcilePlan {
        guard let fields = plan.parentFields else { return plan }
        var plan = plan
        let hash = ObjectMatch.hash(fields)
        let appliedBefore = state.withLock { $0.appliedFields[plan.parent.key] == hash }
        guard let patch = plan.parentPatch, appliedBefore else {
            contests.tracker.withLock { $0.planned(plan.parent, desiredHash: hash, now: now) }
            return plan
        }
        switch contests.tracker.withLock({ $0.drifted(plan.parent, desiredHash: hash, now: now) }) {
        case .hold(let until):
            plan.parentPatch = nil
            let wait = max(until - now, .milliseconds(1))
            plan.requeueAfter = min(plan.requeueAfter ?? wait, wait)
            logger.debug("holding contested fields", metadata: ["object": "\(plan.parent)", "seconds": "\(wait.seconds)"])
        case .applyAndAnnounce:
            await announceContest(plan.parent, desired: patch, drift: Drift.analyze(desired: patch, live: parent) ?? Drift(paths: []), parent: parent, reason: "FieldsContested")
        case .apply:
            break
        }
        return plan
    }

    /// Records the `ChildContested` Event and counts the contest.
    private func announceContest(_ child: PlannedChild, parent: Value) async {
        await announceContest(child.reference, desired: child.desired, drift: child.drift ?? Drift(paths: []), parent: parent, reason: "ChildContested")
    }

    /// Records a contest Event (`reason`) on `parent` about `reference` and counts the contest.
    private func announceContest(_ reference: ObjectReference, desired: Value, drift: Drift, parent: Value, reason: String) async {
        var drift = drift
        // The cache drops managedFields: read them from the server, before Tend's apply takes the field back.
        if let resource = try? await client.resource(reference.kind, namespace: reference.key.namespace.isEmpty ? nil : reference.key.namespace),
            let live = try? await resource.get(reference.key.name),
            let fresh = Drift.analyze(desired: desired, live: live, excluding: rule.ownManagers)
        {
            drift = fresh
        }
        let policy = contests.tracker.withLock { $0.policy }
        var message = Self.contestMessage(reference, drift: drift, policy: policy)
        // Two rules: the Event names both (the other is among the managers).
        if drift.managers.contains(where: { Rule.ruleName(ofManager: $0.name) != nil }) { message = "rule \(rule.name): " + message }
        contests.contested.increment()
        logger.warning("contested by another writer", metadata: ["object": "\(ObjectKey(of: parent).map { "\($0)" } ?? "")", "target": "\(reference)", "fields": "\(drift.pathList)", "managers": "\(drift.managerList ?? "unknown")"])
        events.record(parent, type: .warning, reason: reason, message: message)
    }

    /// `ConfigMap ns/web-config: data.x is also changed by rival (Update); re-applied 5 times in
    /// 60s, now backing off. Remove the field from the template, or stop the other writer.`
    static func contestMessage(_ reference: ObjectReference, drift: Drift, policy: ContestTracker.Policy) -> String {
        let verb = drift.paths.count == 1 ? "is" : "are"
        let who = drift.managerList ?? "another writer"
        return "\(reference.kind.kind) \(reference.key): \(drift.pathList) \(verb) also changed by \(who); re-applied \(policy.threshold) times in \(Int(policy.window.seconds))s, now backing off. Remove the field from the template, or stop the other writer."
    }
}
