import TendMeta
public import TendOffline
import TendValue

/// Carrying out a reconcile plan on the offline API server, as `tend run` carries it out on a cluster:
/// the rule's field managers, labels and finalizers are Tend's, so this half lives with the planner;
/// the writes it makes (server-side apply, status, deletes) are the API server's model in TendOffline.
extension OfflineCluster {
    /// Carries out `plan`, returning the number of writes it took. A write the API server would
    /// refuse is not made; it is added to ``failures`` and reported in the object's Ready condition
    /// when the rule writes a status, as `tend run` reports it.
    @discardableResult
    public mutating func apply(_ plan: ReconcilePlan) -> Int {
        var writes = 0
        var refused: [ReconcilePlan.Problem] = []
        let manager = Rule.fieldManager(ofRule: plan.rule)
        // The inventory record first, as `tend run` writes it before any child (not counted: no rule
        // watches it, so it triggers no reconcile).
        if !plan.kindsToRecord.isEmpty { world.recordedKinds[plan.rule, default: []].formUnion(plan.kindsToRecord) }
        for child in plan.children where child.action.isWrite {
            if child.replacement != nil {
                // Deleted now; the next round creates it from the template, as the delete event
                // makes `tend run` reconcile the parent.
                delete(child.kind, namespace: child.key.namespace, name: child.key.name, now: now)
                writes += 1
                continue
            }
            switch serverSideApply(child.desired, as: manager, to: child.reference, live: child.live) {
            case .success(var object):
                if child.live == nil { store(Self.withoutNulls(object)) } else {
                    if let live = child.live, object["spec"] != live["spec"] {
                        // The API server bumps metadata.generation on a change of spec.
                        try? object.set(FieldPath([.key("metadata"), .key("generation")]), to: .int((live["metadata"]?["generation"]?.intValue ?? 1) + 1))
                    }
                    bumpVersion(&object)
                    world.put(object)
                }
                writes += 1
            case .failure(let invalid):
                let message = "apply \(child.reference): \(invalid)"
                failures.append("rule \(plan.rule): " + message)
                refused.append(.init(reason: "Invalid", message: message, child: child.id))
            }
        }
        for pruned in plan.prune {
            switch pruned.policy {
            case .delete:
                delete(pruned.kind, namespace: pruned.key.namespace, name: pruned.key.name)
            case .orphan:
                var released = pruned.live
                released.remove(FieldPath([.key("metadata"), .key("labels"), .key(Rule.ruleLabel)]))
                released.remove(FieldPath([.key("metadata"), .key("labels"), .key(Rule.ownerUIDLabel)]))
                released.remove(FieldPath([.key("metadata"), .key("ownerReferences")]))
                world.put(released)
            }
            writes += 1
        }
        guard var parent = world.object(plan.parent.kind, namespace: plan.parent.key.namespace, name: plan.parent.key.name) else { return writes }
        if let patch = plan.parentPatch {
            switch serverSideApply(patch, as: manager, to: plan.parent, live: parent) {
            case .success(let patched):
                parent = patched
                writes += 1
            case .failure(let invalid):
                let message = "apply \(plan.parent): \(invalid)"
                failures.append("rule \(plan.rule): " + message)
                refused.append(.init(reason: "Invalid", message: message))
            }
        }
        if plan.statusChanged || !refused.isEmpty, statusSubresources.hasStatus(plan.parent.kind),
            let status = plan.status(reporting: refused, parent: parent, now: now)
        {
            var current = parent
            for field in plan.statusFieldsToRemove { current["status"]?[field] = nil }
            switch serverSideApply(["status": status], as: manager + Rule.statusManagerSuffix, to: plan.parent, live: current) {
            case .success(let written):
                parent["status"] = written["status"]
                writes += 1
            case .failure(let invalid):
                failures.append("rule \(plan.rule): write status of \(plan.parent): \(invalid)")
            }
        }
        if plan.removeFinalizer {
            let remaining = (parent["metadata"]?["finalizers"]?.arrayValue ?? []).filter { $0.stringValue.map { Rule.finalizer(ofRule: plan.rule) == $0 || Rule.legacyFinalizer == $0 } != true }
            try? parent.set(FieldPath([.key("metadata"), .key("finalizers")]), to: .array(remaining))
            writes += 1
        }
        if writes > 0 {
            bumpVersion(&parent)
            world.put(parent)
            if plan.removeFinalizer, parent["metadata"]?["finalizers"]?.arrayValue?.isEmpty ?? true, parent.isBeingDeleted {
                delete(plan.parent.kind, namespace: plan.parent.key.namespace, name: plan.parent.key.name)
            }
        }
        return writes
    }
}
