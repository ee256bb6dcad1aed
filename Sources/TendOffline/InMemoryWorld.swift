public import TendMeta
public import TendValue

/// Objects held in memory by kind, namespace and name: the offline cluster's store, for offline
/// planning and tests, and a reference implementation of the planner's `WorldSnapshot` (TendRules
/// declares the conformance).
public struct InMemoryWorld: Sendable {
    private var objects: [GroupVersionKind: [ObjectKey: Value]] = [:]
    /// Kinds known to be cluster-scoped; every other kind is treated as namespaced.
    public var clusterScoped: Set<GroupVersionKind>
    /// The kinds each rule's inventory record names (rule name to `apiVersion/Kind` strings): what
    /// `tend run` keeps in its `tend-inventory` ConfigMap, kept here beside the objects.
    public var recordedKinds: [String: Set<String>] = [:]

    public init(objects: [Value] = [], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped) {
        self.clusterScoped = clusterScoped
        for o in objects { put(o) }
    }

    /// Adds or replaces an object (by kind, namespace and name).
    public mutating func put(_ object: Value) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kindName = object["kind"]?.stringValue,
            let kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName), let key = ObjectKey(of: object)
        else { return }
        objects[kind, default: [:]][key] = object
    }

    public mutating func remove(_ kind: GroupVersionKind, namespace: String, name: String) {
        objects[kind]?[ObjectKey(namespace: namespace, name: name)] = nil
    }

    public var all: [Value] {
        objects.keys.sorted { $0.description < $1.description }.flatMap { kind in
            (objects[kind] ?? [:]).keys.sorted().compactMap { objects[kind]?[$0] }
        }
    }

    public func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? {
        objects[kind]?[ObjectKey(namespace: isNamespaced(kind) == false ? "" : namespace, name: name)]
    }

    public func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value] {
        // A selector that does not parse matches nothing, so a bad selector never selects everything.
        guard let selector = try? LabelSelector(parsing: labelSelector) else { return [] }
        return (objects[kind] ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
            if let namespace, key.namespace != namespace { return nil }
            return selector.matches(value) ? value : nil
        }
    }

    public func isNamespaced(_ kind: GroupVersionKind) -> Bool? { !clusterScoped.contains(kind) }

    /// Built-in cluster-scoped kinds Tend knows without discovery.
    public static let builtinClusterScoped: Set<GroupVersionKind> = [
        GroupVersionKind(apiVersion: "v1", kind: "Namespace")!,
        GroupVersionKind(apiVersion: "v1", kind: "Node")!,
        GroupVersionKind(apiVersion: "v1", kind: "PersistentVolume")!,
        GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole")!,
        GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding")!,
        GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!,
        GroupVersionKind(apiVersion: "storage.k8s.io/v1", kind: "StorageClass")!,
        GroupVersionKind(apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass")!,
        GroupVersionKind(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration")!,
        GroupVersionKind(apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration")!,
    ]
}
