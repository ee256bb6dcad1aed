import TendMeta
import TendRules
import TendRuntime
import TendValue

/// The planner's view of the cluster, backed by informer stores: reads never wait on the network.
///
/// Stores may be slightly stale; a plan made from stale data is corrected by the next reconcile,
/// which the informer event that carries the newer state triggers. Children are cached only when
/// Tend manages them (label `tend.dev/rule`), so an object of the same name that Tend does not manage
/// is invisible here; the executor's create refuses to take one over (``PlanExecutor``).
struct CacheWorld: WorldSnapshot {
    /// Stores by kind; several stores of a kind (different selectors) are searched in order.
    let stores: [GroupVersionKind: [Store]]
    let namespaced: [GroupVersionKind: Bool]
    /// Kinds the server does not serve: held, with no objects.
    var unserved: Set<GroupVersionKind> = []
    /// The inventory record's kinds by rule, as the engine knew them when the snapshot was taken.
    var recorded: [String: Set<String>] = [:]

    func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? {
        let key = ObjectKey(namespace: namespaced[kind] == false ? "" : namespace, name: name)
        for store in stores[kind] ?? [] {
            if let v = store.get(key) { return v }
        }
        return nil
    }

    func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value] {
        let selector = (try? LabelSelector(parsing: labelSelector)) ?? LabelSelector()
        var seen = Set<ObjectKey>()
        var out: [Value] = []
        for store in stores[kind] ?? [] {
            for v in store.list(matching: selector, namespace: namespace) {
                if let key = ObjectKey(of: v), seen.insert(key).inserted { out.append(v) }
            }
        }
        return out.sorted { (ObjectKey(of: $0) ?? ObjectKey(name: "")) < (ObjectKey(of: $1) ?? ObjectKey(name: "")) }
    }

    func isNamespaced(_ kind: GroupVersionKind) -> Bool? { namespaced[kind] }

    /// Kinds with an informer, and kinds not served (which have no objects).
    func holds(_ kind: GroupVersionKind) -> Bool { stores[kind] != nil || unserved.contains(kind) }

    func recordedKinds(ofRule rule: String) -> Set<String> { recorded[rule] ?? [] }
}
