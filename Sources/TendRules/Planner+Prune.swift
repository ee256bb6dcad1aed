import TendMeta
import TendValue

extension Context {
    /// Kinds to search for managed children: the rule's literal kinds, what this reconcile
    /// rendered, and the kinds of templates since removed: those in the rule's inventory record and
    /// in the parent's legacy inventory annotation, in a stable order.
    func childKinds(_ plan: ReconcilePlan) -> [GroupVersionKind] {
        var kinds: [GroupVersionKind] = (rule.children + (rule.finalize?.children ?? [])).compactMap(\.kind) + plan.children.map(\.kind)
        let recorded = world.recordedKinds(ofRule: rule.name).union(rule.inventoryKinds(of: parent))
        kinds += recorded.sorted().compactMap(InventoryRecord.gvk)
        var seen = Set<GroupVersionKind>()
        return kinds.filter { seen.insert($0).inserted }
    }

    mutating func planPrune(into plan: inout ReconcilePlan) {
        guard !parentUID.isEmpty else { return }  // without a UID, nothing can be attributed to this parent
        let policies = Dictionary(rule.children.map { ($0.id, $0.onDelete) }, uniquingKeysWith: { a, _ in a })
        for kind in childKinds(plan) {
            // A kind the snapshot does not hold (no informer yet for the kind of a template since
            // removed) cannot be searched: it stays in the inventory until it can be.
            guard world.holds(kind) else {
                if !plan.uncachedKinds.contains(kind) { plan.uncachedKinds.append(kind) }
                continue
            }
            guard world.isNamespaced(kind) != nil else { continue }
            for live in world.list(kind, namespace: nil, labelSelector: managedSelector) {
                guard let key = ObjectKey(of: live), isManaged(live) else { continue }
                let ref = ObjectReference(kind: kind, key: key)
                if desiredKeys.contains(ref) { continue }
                let id = live["metadata"]?["annotations"]?[Rule.childIDAnnotation]?.stringValue
                if let id, waiting.contains(id) { continue }
                let policy = id.flatMap { policies[$0] } ?? .delete
                // Already being deleted (another finalizer holds it): deleting again changes nothing.
                if policy == .delete, live.isBeingDeleted {
                    terminating.append(live)
                    continue
                }
                plan.prune.append(PrunedChild(id: id, kind: kind, key: key, live: live, policy: policy))
            }
        }
    }

    /// The parent is being deleted: remove (or release) every managed child, then drop the finalizer.
    mutating func planDeletion(into plan: inout ReconcilePlan) {
        guard rule.hasFinalizer(parent) else { return }
        if let finalize = rule.finalize {
            planFinalize(finalize, into: &plan)
            guard plan.finalizing.isEmpty else {
                plan.needsFinalizer = true
                return
            }
            // Done: the finalize children go with the object, like every other child.
            plan.children = []
            desiredKeys = []
        }
        planPrune(into: &plan)
        // Children with an ownerReference and onDelete: delete are left to the garbage collector.
        let parentUID = self.parentUID
        func owned(_ live: Value) -> Bool {
            live["metadata"]?["ownerReferences"]?.arrayValue?.contains { $0["uid"]?.stringValue == parentUID } == true
        }
        plan.prune.removeAll { $0.policy == .delete && owned($0.live) }
        // Children still going (held by someone else's finalizer) keep Tend's finalizer too, so the
        // parent outlives every child it cannot own through an ownerReference.
        let pending = !plan.prune.isEmpty || terminating.contains { !owned($0) }
        plan.needsFinalizer = pending
        plan.removeFinalizer = !pending
    }
}
