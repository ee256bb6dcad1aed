import Foundation
import Logging
import Synchronization
import TendMeta
import TendRules
import TendRuntime
import TendValue

/// Releasing watched objects that left the rule's scope while they still exist.
///
/// A reconcile whose key the cache does not select (the object is absent, or its namespace, name,
/// or `watch.when` no longer match) comes here. Without Tend's finalizer on the object and without a
/// managed child of it in the cache there is nothing to release, and no request is made. Otherwise
/// the object is read live (``ScopeCheck``): only an object that exists with the same uid, is not
/// being deleted and that the rule really does not select is released (``Planner/planRelease(parent:world:)``:
/// children deleted or orphaned, then Tend's finalizer removed), with a `Released` Event. An
/// object being deleted goes through the deletion path instead. A failure is this object's only:
/// Warning Events, and the key is retried with backoff.
extension RuleController {
    func releaseIfOutOfScope(_ key: ObjectKey) async throws -> ReconcileResult {
        let (cached, departed) = state.withLock { ($0.parent?.store.get(key), $0.departures[key]) }
        let uid = cached?["metadata"]?["uid"]?.stringValue ?? departed?.uid ?? ""
        let hasFinalizer = cached.map { rule.hasFinalizer($0) } ?? departed?.hasFinalizer ?? false
        guard !uid.isEmpty, hasFinalizer || hasManagedChildren(uid: uid) else { return finishRelease(key) }
        var logger = self.logger
        logger[metadataKey: "object"] = "\(ObjectReference(kind: rule.watch.kind, key: key))"
        switch try await ScopeCheck(client: client, rule: rule).confirm(key, uid: uid) {
        case .gone:
            return finishRelease(key)
        case .selected:
            // The cache is behind the server; the event that brings the object back reconciles it.
            logger.debug("not selected in the cache but selected on the server; not released")
            return finishRelease(key)
        case .deleting(let live):
            let plan = Planner(rule: rule).plan(parent: live, world: world(), now: Date())
            let outcome = await executor.execute(plan, rule: rule)
            if let shadow { return shadowRelease(shadow, key, plan: plan, live: live, outcome: outcome, logger: logger) }
            recordEvents(parent: live, plan: plan, outcome: outcome)
            try check(outcome, plan: plan, logger: logger)
            return plan.removeFinalizer ? finishRelease(key) : .requeue(after: Self.cleanupRecheck)
        case .outOfScope(let live):
            let plan = Planner(rule: rule).planRelease(parent: live, world: world())
            if plan.suspended {
                // Not released while suspended. The object may no longer be sent to the cache (a
                // server-side selector), so no event would report the annotation's removal: check again later.
                logger.debug("out of scope but suspended; not released")
                state.withLock { $0.departures.record(key, uid: uid, hasFinalizer: rule.hasFinalizer(live)) }
                return .requeue(after: Self.suspendedReleaseRecheck)
            }
            let outcome = await executor.execute(plan, rule: rule)
            if let shadow { return shadowRelease(shadow, key, plan: plan, live: live, outcome: outcome, logger: logger) }
            for f in outcome.failures { events.record(live, type: .warning, reason: f.reason, message: f.message) }
            try check(outcome, plan: plan, logger: logger)
            // Children just deleted report their deletion through the departure's uid, which
            // reconciles the key again: the finalizer goes once none is left. What the live object
            // said about the finalizer is kept, so that reconcile does not drop the key unread
            // (an owner found through a child was recorded without knowing it).
            let done = plan.prune.isEmpty && !plan.needsFinalizer
            let deleted = outcome.deleted, orphaned = outcome.orphaned
            let release = state.withLock { s -> Departures.Entry? in
                s.departures.record(key, uid: uid, hasFinalizer: rule.hasFinalizer(live) && !plan.removeFinalizer)
                s.departures.released(key, deleted: deleted, orphaned: orphaned)
                return s.departures[key]
            }
            if !deleted.isEmpty || !orphaned.isEmpty || plan.removeFinalizer {
                logger.info("releasing: no longer selected by the rule", metadata: ["deleted": "\(deleted.count)", "orphaned": "\(orphaned.count)", "finalizerRemoved": "\(plan.removeFinalizer)"])
            }
            guard done else { return .requeue(after: Self.cleanupRecheck) }
            // One Event for the whole release, once it is complete.
            if let release, !release.deleted.isEmpty || !release.orphaned.isEmpty || plan.removeFinalizer {
                events.record(live, type: .normal, reason: "Released", message: Self.releaseMessage(rule: plan.rule, deleted: release.deleted, orphaned: release.orphaned, removedFinalizer: plan.removeFinalizer))
            }
            return finishRelease(key)
        }
    }

    /// While children are being deleted and Tend's finalizer waits for them, the object is
    /// checked again after this long even if no event comes: a child created and deleted before
    /// its handler ran reports nothing (the informer folds an add and a delete into no change).
    static let cleanupRecheck: Duration = .seconds(1)

    /// How often an object that left the rule's scope while suspended is read again, to release
    /// it once the suspension is lifted.
    static let suspendedReleaseRecheck: Duration = .seconds(60)

    /// Shadow mode: reports the dry run of a release or deletion plan and ends, without waiting
    /// for deletions that never happen.
    private func shadowRelease(_ shadow: ShadowGuard, _ key: ObjectKey, plan: ReconcilePlan, live: Value, outcome: PlanExecutor.Outcome, logger: Logger) -> ReconcileResult {
        _ = finishShadow(shadow, plan: plan, parent: live, outcome: outcome, status: nil, logger: logger)
        return finishRelease(key)
    }

    private func finishRelease(_ key: ObjectKey) -> ReconcileResult {
        state.withLock { $0.departures.remove(key) }
        queue.forget(key)
        return .done
    }

    private func check(_ outcome: PlanExecutor.Outcome, plan: ReconcilePlan, logger: Logger) throws {
        guard !outcome.failures.isEmpty else { return }
        logger.warning("release failed", metadata: ["problems": "\(outcome.failures.map(\.description).joined(separator: "; "))"])
        throw ReconcileFailure(object: plan.parent, problems: outcome.failures)
    }

    /// Whether the cache holds a child this rule manages for the object with `uid` (label index).
    func hasManagedChildren(uid: String) -> Bool {
        let world = world()
        let selector = "\(Rule.ruleLabel)=\(rule.name),\(Rule.ownerUIDLabel)=\(uid)"
        return Set(rule.allChildren.compactMap(\.kind)).contains { !world.list($0, namespace: nil, labelSelector: selector).isEmpty }
    }

    /// The key of the watched object `child` belongs to: from its `tend.dev/owner` annotation
    /// (children in another scope than their owner's), else from an ownerReference with `uid`.
    /// `namespaced` is whether the watched kind is namespaced (nil: unknown, no answer).
    static func ownerKey(of child: Value, uid: String, watched: GroupVersionKind, namespaced: Bool?) -> ObjectKey? {
        guard let namespaced else { return nil }
        // A child in another scope names its owner in an annotation (it cannot hold an ownerReference).
        if let owner = child["metadata"]?["annotations"]?[Rule.ownerAnnotation]?.stringValue {
            let parts = owner.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            switch (namespaced, parts.count) {
            case (true, 2) where !parts[0].isEmpty && !parts[1].isEmpty: return ObjectKey(namespace: parts[0], name: parts[1])
            case (false, 1) where !parts[0].isEmpty: return ObjectKey(name: parts[0])
            default: return nil
            }
        }
        let refs = child["metadata"]?["ownerReferences"]?.arrayValue ?? []
        guard let ref = refs.first(where: { $0["uid"]?.stringValue == uid }),
            let name = ref["name"]?.stringValue, ref["kind"]?.stringValue == watched.kind,
            let apiVersion = ref["apiVersion"]?.stringValue, GroupVersion(apiVersion: apiVersion)?.group == watched.group
        else { return nil }
        // An ownerReference is only valid within one namespace, or from a cluster-scoped owner.
        return ObjectKey(namespace: namespaced ? child["metadata"]?["namespace"]?.stringValue ?? "" : "", name: name)
    }

    /// The `Released` Event's message: what the release did, over all its steps.
    static func releaseMessage(rule: String, deleted: [ObjectReference], orphaned: [ObjectReference], removedFinalizer: Bool) -> String {
        func list(_ refs: [ObjectReference]) -> String {
            refs.count <= 5 ? refs.map(\.description).joined(separator: ", ") : "\(refs.count) children"
        }
        var parts: [String] = []
        if !deleted.isEmpty { parts.append("deleted " + list(deleted)) }
        if !orphaned.isEmpty { parts.append("released " + list(orphaned)) }
        if removedFinalizer { parts.append("removed finalizer \(Rule.finalizer(ofRule: rule))") }
        return "no longer selected by rule \(rule): " + parts.joined(separator: "; ")
    }
}

extension RuleController {
    /// For a rule a reload removed: removes its finalizer (and the legacy shared one) from every
    /// watched object in its cache that carries it, so deleting such an object does not hang in
    /// `Terminating` until the rule comes back. Only the finalizer: the children stay as they are
    /// (those with an ownerReference go with their owner; others keep Tend's labels and can be found
    /// with `kubectl get -A -l tend.dev/rule=<rule>`). Each object is patched with a JSON patch that
    /// tests the finalizers first; a failure is logged and left (nothing retries a removed rule).
    func retire() async {
        let cached = state.withLock { $0.parent }?.store.cachedObjects() ?? []
        let held = cached.filter { rule.hasFinalizer(metadata: $0.metadata) }.map(\.value)
        guard !held.isEmpty else { return }
        var released = 0
        for object in held {
            guard let key = ObjectKey(of: object) else { continue }
            var plan = ReconcilePlan(rule: rule.name, parent: ObjectReference(kind: rule.watch.kind, key: key))
            plan.parentUID = object["metadata"]?["uid"]?.stringValue ?? ""
            let finalizers = (object["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            var outcome = PlanExecutor.Outcome()
            await executor.removeFinalizer(.init(finalizers: finalizers), plan: plan, rule: rule, outcome: &outcome)
            if outcome.finalizerRemoved { released += 1 }
            for failure in outcome.failures { logger.warning("could not remove the finalizer of a removed rule", metadata: ["object": "\(plan.parent)", "error": "\(failure.message)"]) }
        }
        logger.info("rule removed: its finalizer was removed from the objects it watched; their children are left as they are", metadata: ["objects": "\(released)", "finalizer": "\(rule.finalizer)"])
    }
}
