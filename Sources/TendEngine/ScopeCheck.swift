import TendKube
import TendMeta
import TendRules
import TendValue

/// Confirms against the API server, before anything is released, that a watched object really
/// left a rule's scope.
///
/// The cache is not enough: an object can be momentarily absent from it (a relist, a watch that
/// has not caught up, a DELETED sent for a selector change that was reverted since). So the object
/// is read live by namespace and name, must have the uid its children point at, and every filter
/// of the rule is evaluated again on it: namespaces (with the namespace's live labels for a
/// `namespaceSelector`), the label and field selectors the server otherwise applies, the name
/// pattern and `watch.when`.
struct ScopeCheck: Sendable {
    let client: KubeClient
    let rule: Rule

    enum Verdict: Sendable {
        /// No object with that name and uid exists: nothing to release (the garbage collector
        /// deletes children owned through an ownerReference; other objects keep their finalizer).
        case gone
        /// The rule selects the object on the server: it must not be released.
        case selected(Value)
        /// The object is being deleted: the deletion path handles it, selected or not.
        case deleting(Value)
        /// The object exists, is not being deleted, and the rule does not select it: release it.
        case outOfScope(Value)
    }

    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!

    func confirm(_ key: ObjectKey, uid: String) async throws(KubeError) -> Verdict {
        let resource = try await client.resource(rule.watch.kind, namespace: key.namespace.isEmpty ? nil : key.namespace)
        let live: Value
        do {
            live = try await resource.get(key.name)
        } catch where error.isNotFound {
            return .gone
        }
        guard live["metadata"]?["uid"]?.stringValue == uid else { return .gone }
        if live.isBeingDeleted { return .deleting(live) }
        var namespaceLabels: Value?
        if case .selector = rule.watch.namespaces, !key.namespace.isEmpty {
            let namespaces = try await client.resource(Self.namespaceKind)
            do {
                namespaceLabels = try await namespaces.get(key.namespace)["metadata"]?["labels"]
            } catch where error.isNotFound {
                return .gone  // the namespace, and so the object, is going
            }
        }
        return rule.watch.matches(live, namespaceLabels: namespaceLabels, checkServerSelectors: true) ? .selected(live) : .outOfScope(live)
    }
}
