import TendKube
import TendRules
import TendValue

/// Writes this rule made that the cache has not shown yet (client-go's "expectations").
///
/// The cache has no read-your-writes: a reconcile that runs right after an apply (woken by another
/// object's event) can still see the object as it was, and would apply the same thing again. Each
/// successful apply is remembered with the resourceVersion the cache had for the object then
/// (nil: absent). A later plan that would apply the same content while the cache still has that
/// version skips it. The entry goes at the first event the cache receives for the object (any
/// event: from then on the cache has caught up), so an object deleted afterwards is recreated.
/// Memory follows writes in flight, not the cluster.
struct WriteExpectations: Sendable {
    private struct Entry: Sendable, Equatable {
        var content: Value
        var cachedVersion: String?
    }

    private var entries: [ObjectReference: Entry] = [:]

    var count: Int { entries.count }

    /// Records an apply of `content` to `reference`, made when the cache had `cached`.
    mutating func applied(_ content: Value, to reference: ObjectReference, cached: Value?) {
        entries[reference] = Entry(content: content, cachedVersion: Self.version(cached))
    }

    /// Whether applying `content` to `reference` would repeat a write the cache (still at
    /// `cached`) has not shown yet.
    func isPending(_ content: Value, to reference: ObjectReference, cached: Value?) -> Bool {
        guard let entry = entries[reference] else { return false }
        return entry.content == content && entry.cachedVersion == Self.version(cached)
    }

    /// The cache received an event for `reference`: it has caught up.
    mutating func observed(_ reference: ObjectReference) {
        entries[reference] = nil
    }

    private static func version(_ object: Value?) -> String? {
        object?["metadata"]?["resourceVersion"]?.stringValue
    }
}

extension ReconcilePlan {
    /// This plan without the writes `expectations` says were already made (children and the
    /// parent's own patch); `parent` is the cached watched object.
    func skippingPending(_ expectations: WriteExpectations, parent: Value) -> ReconcilePlan {
        var plan = self
        for i in plan.children.indices where plan.children[i].action.isWrite {
            let child = plan.children[i]
            if expectations.isPending(child.desired, to: child.reference, cached: child.live) {
                plan.children[i].action = .unchanged
            }
        }
        if let patch = plan.parentPatch, expectations.isPending(patch, to: plan.parent, cached: parent) {
            plan.parentPatch = nil
        }
        return plan
    }
}
