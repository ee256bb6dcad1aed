public import TendValue

/// Suspending one watched object: the annotation `tend.dev/reconcile: suspended` (kro's
/// `kro.run/reconcile: suspended`).
///
/// Contract, shared by `tend run`, `tend plan` and `tend explain` because the planner decides it:
/// - A suspended object that is not being deleted gets an empty plan with
///   ``ReconcilePlan/suspended`` set: no child is applied, nothing is pruned, no `patch`, no status,
///   no finalizer added. Its children are left exactly as they are.
/// - A suspended object that leaves the rule's scope is not released either
///   (``Planner/planRelease(parent:world:)`` returns a suspended plan).
/// - Deletion is not suspended: an object being deleted that carries Tend's finalizer
///   `tend.dev/cleanup` is cleaned up as usual, or it would never go away.
/// - Any other value of the annotation (or its absence) means normal reconciliation. Removing it
///   is an update of the object, so the next reconcile catches up at once.
extension Planner {
    /// The annotation that suspends reconciliation of one object.
    public static let reconcileAnnotation = "tend.dev/reconcile"
    /// The value of ``reconcileAnnotation`` that suspends.
    public static let suspendedValue = "suspended"

    /// Whether `object` carries `tend.dev/reconcile: suspended`.
    public static func isSuspended(_ object: Value) -> Bool {
        object["metadata"]?["annotations"]?[reconcileAnnotation]?.stringValue == suspendedValue
    }
}
