import TendKube
import TendValue

extension Context {
    /// Kinds to search for managed children: the rule's literal kinds, what this reconcile
    /// rendered, and the parent's inventory annotation (kinds of templates since removed).
    func childKinds(_ plan: ReconcilePlan) -> [GroupVersionKind] {
        var kinds: [GroupVersionKind] = rule.children.compactMap(\.kind) + plan.children.map(\.kind)
        let inventory = parent["metadata"]?["annotations"]?[Planner.inventoryAnnotation]?.stringValue ?? ""
        for entry in inventory.split(separator: ",") {
            let parts = entry.split(separator: "/")
            guard parts.count >= 2, let kindName = parts.last else { continue }
            let apiVersion = parts.dropLast().joined(separator: "/")
            if let k = GroupVersionKind(apiVersion: apiVersion, kind: String(kindName)) { kinds.append(k) }
        }
        var seen = Set<GroupVersionKind>()
        return kinds.filter { seen.insert($0).inserted }
    }

    mutating func planPrune(into plan: inout ReconcilePlan) {
        guard !parentUID.isEmpty else { return }  // without a UID, nothing can be attributed to this parent
        let policies = Dictionary(rule.children.map { ($0.id, $0.onDelete) }, uniquingKeysWith: { a, _ in a })
        for kind in childKinds(plan) where world.isNamespaced(kind) != nil {
            for live in world.list(kind, namespace: nil, labelSelector: managedSelector) {
                guard let key = ObjectKey(of: live), isManaged(live) else { continue }
                let ref = ObjectReference(kind: kind, key: key)
                if desiredKeys.contains(ref) { continue }
                let id = live["metadata"]?["annotations"]?[Rule.childIDAnnotation]?.stringValue
                if let id, waiting.contains(id) { continue }
                plan.prune.append(PrunedChild(id: id, kind: kind, key: key, live: live, policy: id.flatMap { policies[$0] } ?? .delete))
            }
        }
    }

    /// The parent is being deleted: remove (or release) every managed child, then drop the finalizer.
    mutating func planDeletion(into plan: inout ReconcilePlan) {
        let finalizers = parent["metadata"]?["finalizers"]?.arrayValue ?? []
        guard finalizers.contains(.string(Rule.finalizer)) else { return }
        planPrune(into: &plan)
        // Children with an ownerReference and onDelete: delete are left to the garbage collector.
        plan.prune.removeAll { pruned in
            pruned.policy == .delete && pruned.live["metadata"]?["ownerReferences"]?.arrayValue?.contains {
                $0["uid"]?.stringValue == parentUID
            } == true
        }
        plan.needsFinalizer = !plan.prune.isEmpty
        plan.removeFinalizer = plan.prune.isEmpty
    }
}
