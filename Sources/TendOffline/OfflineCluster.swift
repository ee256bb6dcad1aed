public import Foundation
public import TendMeta
public import TendValue

/// An in-memory stand-in for a cluster that carries out plans, for `tend test` and offline planning.
///
/// It approximates what the API server does closely enough for rule tests: an apply merges the
/// desired object into the live one (server-side apply's result when Tend owns the fields it sets),
/// a create assigns a UID, resourceVersion, generation and creationTimestamp (a Service its cluster
/// IP, a Pod `status.phase: Pending`), the `default:` values of a CRD's schema are filled in on every
/// write (``StructuralDefaults``: CRDs among the objects, and the schemas rules declare), status
/// writes replace `status`, deletes remove the object and (emulating the garbage collector) every
/// object whose controller ownerReference points at it. Custom objects are pruned, defaulted and
/// validated against their CRD's schema on every write (``admitted(_:)``), and a write the API
/// server would refuse is not made but recorded in ``failures``. It does not run other controllers.
public struct OfflineCluster: Sendable {
    public var world: InMemoryWorld
    /// The schema defaults known, by kind.
    public private(set) var defaults = StructuralDefaults()
    /// How server-side apply merges each list field (built-in kinds, and the CRDs learnt).
    public private(set) var listTypes = ListTypes.builtin
    /// Which kinds have a status subresource: a status is written only to those, as `tend run` does.
    package var statusSubresources = StatusSubresources()
    /// Each object's configurations by manager: what a rule's field manager applied last (children,
    /// `patch`, status), and under ``userManager`` what steps and state files wrote, so an apply
    /// releases what its manager no longer sets unless another still sets it (``ServerSideApply``).
    private var configurations: [ObjectReference: [String: Value]] = [:]
    /// Writes the API server would refuse, in order (an item of a list map without a key field):
    /// what `tend run` would report as the object's failure.
    public package(set) var failures: [String] = []
    /// The manager of objects written by test steps and state files.
    static let userManager = "user"
    /// The time new objects are created at (`creationTimestamp`).
    public var now = Date()
    private var nextUID = 1
    private var nextVersion = 1

    public init(objects: [Value] = [], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped) {
        world = InMemoryWorld(clusterScoped: clusterScoped)
        // CRDs first, so objects of their kinds are defaulted whatever the order of the files.
        for o in objects where o["kind"] == "CustomResourceDefinition" { defaults.register(crd: o) }
        for o in objects { put(o) }
    }

    /// Learns a CRD's schema defaults (``StructuralDefaults``) and applies them to the objects of its
    /// kinds already stored, as the API server does when it reads them.
    public mutating func learn(crd: Value) {
        defaults.register(crd: crd)
        listTypes.register(crd: crd)
        statusSubresources.register(crd: crd)
        if crd["spec"]?["scope"] == "Cluster", let group = crd["spec"]?["group"]?.stringValue, let kind = crd["spec"]?["names"]?["kind"]?.stringValue {
            for version in crd["spec"]?["versions"]?.arrayValue ?? [] {
                if let name = version["name"]?.stringValue { world.clusterScoped.insert(GroupVersionKind(groupVersion: GroupVersion(group: group, version: name), kind: kind)) }
            }
        }
        // Stored objects read back pruned and defaulted; one the schema refuses could not have been
        // written to a cluster with this CRD, so it is reported (and kept, as a read would show it).
        for object in world.all where defaults.schema(of: object) != nil {
            switch admitted(object) {
            case .success(let admitted): if admitted != object { world.put(admitted) }
            case .failure(let refusal): failures.append(refusal.description)
            }
        }
    }

    /// Creates or replaces an object as a user would with `kubectl apply`, filling in server fields.
    ///
    /// Re-applying an object that exists keeps it the same object, as the API server does: its uid,
    /// creationTimestamp, finalizers and ownerReferences (unless the applied object sets them), the
    /// labels and annotations others added (the applied ones win), and its `status` (unless the applied
    /// object has one); `generation` goes up when `spec` changed. The rest is the applied object.
    public mutating func put(_ object: Value) {
        var object = object
        // A namespaced object written without a namespace goes to `default`, as `kubectl apply -f` puts it.
        if let ref = Self.reference(of: object), world.isNamespaced(ref.kind) == true, ref.key.namespace.isEmpty {
            try? object.set(FieldPath([.key("metadata"), .key("namespace")]), to: "default")
        }
        if object["kind"] == "CustomResourceDefinition" { learn(crd: object) }
        switch admitted(object) {
        case .success(let admitted):
            if let ref = Self.reference(of: admitted) { configurations[ref, default: [:]][Self.userManager] = admitted }
            store(admitted)
        case .failure(let refusal):
            failures.append(refusal.description)
        }
    }

    /// Applies a JSON merge patch to an object, as `kubectl patch --type merge` does; its fields
    /// join what the user owns. As on the API server, `generation` goes up when `spec` changed.
    public mutating func patch(_ mergePatch: Value) {
        guard let ref = Self.reference(of: mergePatch), let live = get(ref.kind, namespace: ref.key.namespace, name: ref.key.name) else { return }
        var patched: Value
        switch admitted(live.applyingMergePatch(mergePatch)) {
        case .success(let admitted): patched = admitted
        case .failure(let refusal):
            failures.append(refusal.description)
            return
        }
        configurations[ref, default: [:]][Self.userManager] = (configurations[ref]?[Self.userManager] ?? .emptyObject).applyingMergePatch(mergePatch)
        if patched["spec"] != live["spec"] {
            try? patched.set(FieldPath([.key("metadata"), .key("generation")]), to: .int((live["metadata"]?["generation"]?.intValue ?? 1) + 1))
        }
        bumpVersion(&patched)
        world.put(patched)
    }

    /// Stores `object` as created or re-applied (``put(_:)``), without recording a configuration.
    package mutating func store(_ object: Value) {
        var o = defaults.applied(to: object)
        if let kind = object["apiVersion"]?.stringValue.flatMap({ api in object["kind"]?.stringValue.flatMap { GroupVersionKind(apiVersion: api, kind: $0) } }),
           let name = object["metadata"]?["name"]?.stringValue,
           let live = world.object(kind, namespace: object["metadata"]?["namespace"]?.stringValue ?? "", name: name) {
            o = Self.reapplied(object, over: live)
        }
        // The one server default rules commonly read: a Service's cluster IP.
        if o["apiVersion"] == "v1", o["kind"] == "Service", o["spec"]?["clusterIP"] == nil {
            try? o.set(FieldPath([.key("spec"), .key("clusterIP")]), to: .string("10.0.0.\(10 + nextUID % 240)"))
        }
        if o["metadata"]?["uid"] == nil {
            let digits = String(nextUID)
            let uid = "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
            try? o.set(FieldPath([.key("metadata"), .key("uid")]), to: .string(uid))
            nextUID += 1
            o = BuiltinAllocation.allocated(o, uid: uid)
        }
        if o["metadata"]?["generation"] == nil {
            try? o.set(FieldPath([.key("metadata"), .key("generation")]), to: 1)
        }
        if o["metadata"]?["creationTimestamp"] == nil {
            try? o.set(FieldPath([.key("metadata"), .key("creationTimestamp")]), to: .string(RFC3339.format(now)))
        }
        if o["apiVersion"] == "v1", o["kind"] == "Pod", o["status"] == nil {
            o["status"] = ["phase": "Pending"]
        }
        bumpVersion(&o)
        world.put(o)
    }

    /// `applied` as the new state of `live` (see ``put(_:)``).
    static func reapplied(_ applied: Value, over live: Value) -> Value {
        var o = applied
        func keep(_ field: String) {
            if o["metadata"]?[field] == nil, let v = live["metadata"]?[field] {
                try? o.set(FieldPath([.key("metadata"), .key(field)]), to: v)
            }
        }
        for field in ["uid", "creationTimestamp", "finalizers", "ownerReferences", "deletionTimestamp"] { keep(field) }
        for map in ["labels", "annotations"] {
            guard case .object(var merged)? = live["metadata"]?[map] else { continue }
            if case .object(let mine)? = applied["metadata"]?[map] { for (k, v) in mine { merged[k] = v } }
            try? o.set(FieldPath([.key("metadata"), .key(map)]), to: .object(merged))
        }
        if o["status"] == nil, let status = live["status"] { try? o.set(FieldPath([.key("status")]), to: status) }
        let generation = live["metadata"]?["generation"]?.intValue ?? 1
        try? o.set(FieldPath([.key("metadata"), .key("generation")]), to: .int(applied["spec"] != live["spec"] ? generation + 1 : generation))
        return o
    }

    package mutating func bumpVersion(_ o: inout Value) {
        try? o.set(FieldPath([.key("metadata"), .key("resourceVersion")]), to: .string(String(nextVersion)))
        nextVersion += 1
    }

    public func get(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? {
        world.object(kind, namespace: namespace, name: name)
    }

    /// `object`'s kind, namespace and name.
    static func reference(of object: Value) -> ObjectReference? {
        guard let api = object["apiVersion"]?.stringValue, let kindName = object["kind"]?.stringValue,
            let kind = GroupVersionKind(apiVersion: api, kind: kindName), let key = ObjectKey(of: object)
        else { return nil }
        return ObjectReference(kind: kind, key: key)
    }

    /// Server-side apply of `applied` as `manager` to the object at `reference` (nil: it does not
    /// exist), or the API server's refusal.
    package mutating func serverSideApply(_ applied: Value, as manager: String, to reference: ObjectReference, live: Value?) -> Result<Value, Refusal> {
        let mine = configurations[reference] ?? [:]
        let others = mine.filter { $0.key != manager }.map(\.value)
        let merged: Value
        do {
            merged = try ServerSideApply(listTypes: listTypes, kind: reference.kind).apply(applied, to: live, previous: mine[manager], others: others)
        } catch {
            return .failure(Refusal(description: "\(reference.kind.kind) \"\(reference.key.name)\" is invalid: \(error)"))
        }
        if let live, let refusal = ImmutableFields.refusal(live: live, updated: merged) {
            return .failure(Refusal(description: refusal.description))
        }
        let result = admitted(merged)
        if case .success = result { configurations[reference, default: [:]][manager] = applied }
        return result
    }

    /// Deletes an object as the API server would: when it has finalizers it only gets a
    /// deletionTimestamp; otherwise it goes, and so do objects it controls (garbage collection).
    public mutating func delete(_ kind: GroupVersionKind, namespace: String, name: String, now: Date = Date()) {
        guard var object = world.object(kind, namespace: namespace, name: name) else { return }
        if let finalizers = object["metadata"]?["finalizers"]?.arrayValue, !finalizers.isEmpty {
            if object["metadata"]?["deletionTimestamp"] == nil {
                try? object.set(FieldPath([.key("metadata"), .key("deletionTimestamp")]), to: .string(RFC3339.format(now)))
                bumpVersion(&object)
                world.put(object)
            }
            return
        }
        world.remove(kind, namespace: namespace, name: name)
        guard let uid = object["metadata"]?["uid"]?.stringValue else { return }
        for dependent in world.all where dependent["metadata"]?["ownerReferences"]?.arrayValue?.contains(where: { $0["uid"]?.stringValue == uid }) == true {
            guard let k = GroupVersionKind(apiVersion: dependent["apiVersion"]?.stringValue ?? "", kind: dependent["kind"]?.stringValue ?? ""),
                let key = ObjectKey(of: dependent)
            else { continue }
            delete(k, namespace: key.namespace, name: key.name, now: now)
        }
    }

    package static func withoutNulls(_ v: Value) -> Value {
        switch v {
        case .object(let o): return .object(Value.Object(o.filter { !$0.value.isNull }.map { ($0.key, withoutNulls($0.value)) }))
        case .array(let a): return .array(a.map(withoutNulls))
        default: return v
        }
    }
}
