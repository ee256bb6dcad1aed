public import TendMeta
public import TendValue

extension OfflineCluster {
    /// A test step's `apply`, checked as the API server checks a server-side apply (what the live
    /// harness and `kubectl apply --server-side` send) before ``put(_:)``: a `metadata.uid` is a
    /// precondition (an object that does not exist, or has another uid, is refused), and list-map
    /// items need their key fields (a Service port without `protocol` on 1.20), and a built-in
    /// object must pass the server's checks (``BuiltinValidation``: a test standing in for a
    /// controller's ReplicaSet must give it a selector). A refused write is recorded in
    /// ``failures`` and not made.
    ///
    /// Only test steps are checked this way, not rule writes or state files: fixtures and templates
    /// elsewhere may leave out what the checks require (tracked as a gap in docs/planning.md).
    ///
    /// State files (`tend plan --state`) go through ``put(_:)`` directly: their uids are the ones a
    /// cluster assigned.
    public mutating func applyStep(_ object: Value) {
        guard let ref = Self.reference(of: object) else { return put(object) }
        let namespace = world.isNamespaced(ref.kind) == true && ref.key.namespace.isEmpty ? "default" : ref.key.namespace
        let live = get(ref.kind, namespace: namespace, name: ref.key.name)
        let resource = ref.kind.kind.lowercased() + "s" + (ref.kind.groupVersion.group.isEmpty ? "" : "." + ref.kind.groupVersion.group)
        if let uid = object["metadata"]?["uid"]?.stringValue, !uid.isEmpty, live?["metadata"]?["uid"]?.stringValue != uid {
            let found = live?["metadata"]?["uid"]?.stringValue.map { "the existing object has uid \($0)" } ?? "no existing object was found"
            failures.append("Operation cannot be fulfilled on \(resource) \"\(ref.key.name)\": uid mismatch: the provided object specified uid \(uid), and \(found)")
            return
        }
        do {
            _ = try ServerSideApply(listTypes: listTypes, kind: ref.kind).apply(object, to: nil, previous: nil, others: [])
        } catch {
            failures.append("failed to create typed patch object: \(error)")
            return
        }
        var merged = object
        if let live { merged = live.applyingMergePatch(object) }
        if let refusal = Self.builtinRefusal(merged) {
            failures.append(refusal.description)
            return
        }
        put(object)
    }
}
