import TendMeta
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
    /// Status writes: the watched object's versions that predate the last status write (the one in
    /// the cache when it was planned, and those of the write's own intermediate steps).
    private var statuses: [ObjectReference: Set<String>] = [:]

    var count: Int { entries.count + statuses.count }

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

    /// Records a status write to the watched object `reference`, planned when the cache had
    /// `cached`; `steps` are the versions of the write's own steps before its last (the merge patch
    /// that removes fields, which comes before the apply).
    mutating func statusWritten(to reference: ObjectReference, cached: Value, steps: [String] = []) {
        statuses[reference] = Set(steps + [Self.version(cached)].compactMap { $0 })
    }

    /// Whether the status of `reference` was written after the cache's version `cached`: a plan
    /// made from it would repeat a phase transition that already fired.
    func isStatusPending(_ reference: ObjectReference, cached: Value) -> Bool {
        guard let stale = statuses[reference], let version = Self.version(cached) else { return false }
        return stale.contains(version)
    }

    /// The cache received an event for `reference`, of version `version`: it has caught up with
    /// the applies, and with a status write unless the version is one that predates its end.
    mutating func observed(_ reference: ObjectReference, version: String? = nil) {
        entries[reference] = nil
        if let version, statuses[reference]?.contains(version) == true { return }
        statuses[reference] = nil
    }

    private static func version(_ object: Value?) -> String? {
        object?["metadata"]?["resourceVersion"]?.stringValue
    }
}

extension ReconcilePlan {
    /// This plan without the writes `expectations` says were already made (children, the parent's
    /// own patch, and a status planned from a status since written); `parent` is the cached
    /// watched object.
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
        if plan.statusChanged, expectations.isStatusPending(plan.parent, cached: parent) {
            // Planned from the status before the last write: the write's event reconciles again.
            plan.statusChanged = false
            plan.statusFieldsToRemove = []
            plan.phaseChange = nil
        }
        return plan
    }
}
