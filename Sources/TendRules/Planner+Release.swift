import Foundation
import TendMeta
public import TendValue

extension Planner {
    /// The plan that releases `parent`, an object that still exists but that the rule no longer
    /// selects (its labels, fields, namespace or `watch.when` stopped matching).
    ///
    /// Like the deletion path, without requiring a `deletionTimestamp`: every child Tend manages for
    /// the object is pruned (deleted, or released with `onDelete: orphan`), dependents before what
    /// they read (reverse dependency order; children of templates no longer in the rule first), and
    /// children with an ownerReference are deleted too, since the object stays. Once no child is left
    /// (none to prune, none still terminating), Tend's finalizer is removed, last. Nothing else is
    /// written: no child is applied, no status, no `spec.patch`; the object's other fields are left
    /// as they are.
    ///
    /// A suspended object (``isSuspended(_:)``) gets an empty plan marked
    /// ``ReconcilePlan/suspended`` instead: it is released once the annotation is removed.
    ///
    /// Deciding *whether* to release (the object is really out of scope, confirmed against the
    /// server) is the caller's job; this only says what releasing means.
    public func planRelease(parent: Value, world: some WorldSnapshot) -> ReconcilePlan {
        let key = ObjectKey(of: parent) ?? ObjectKey(name: "")
        var plan = ReconcilePlan(rule: rule.name, parent: ObjectReference(kind: rule.watch.kind, key: key))
        plan.parentUID = parent["metadata"]?["uid"]?.stringValue ?? ""
        if Self.isSuspended(parent) {
            plan.suspended = true  // not released while suspended (Planner+Suspend)
            return plan
        }
        var context = Context(rule: rule, parent: parent, world: world, now: .distantPast)
        context.planRelease(into: &plan)
        return plan
    }
}

extension Context {
    mutating func planRelease(into plan: inout ReconcilePlan) {
        let finalizers = (parent["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        plan.release = ReconcilePlan.Release(finalizers: finalizers)
        // Nothing is desired, so every managed child is pruned; nothing waits.
        planPrune(into: &plan)
        let rank = Dictionary(rule.children.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        func order(_ p: PrunedChild) -> Int { p.id.flatMap { rank[$0] } ?? Int.max }
        // Stable: equal ranks keep the planner's order (kind, then key).
        plan.prune = plan.prune.enumerated().sorted { a, b in
            let (ra, rb) = (order(a.element), order(b.element))
            return ra != rb ? ra > rb : a.offset < b.offset
        }.map(\.element)
        let hasFinalizer = finalizers.contains(where: rule.handlesFinalizer)
        let pending = !plan.prune.isEmpty || !terminating.isEmpty
        plan.needsFinalizer = hasFinalizer && pending
        plan.removeFinalizer = hasFinalizer && !pending
    }
}
