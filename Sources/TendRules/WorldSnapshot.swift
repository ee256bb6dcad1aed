import Foundation
public import TendMeta
public import TendValue

/// A read-only view of the cluster that a reconcile plans against.
///
/// `tend run` backs it with the informer cache (reads never wait on the network, and may be
/// slightly stale); offline `tend plan` and `tend test` back it with objects from files. The planner
/// never writes through it.
public protocol WorldSnapshot: Sendable {
    /// The live object, or nil when it does not exist (or is not cached).
    func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value?
    /// Objects of `kind` in `namespace` (nil: every namespace) whose labels match `labelSelector`
    /// (string form; empty matches all).
    func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value]
    /// Whether `kind` is namespaced; nil when the kind is unknown to the server.
    func isNamespaced(_ kind: GroupVersionKind) -> Bool?
    /// Whether the snapshot holds the objects of `kind` Tend manages, so that an empty ``list(_:namespace:labelSelector:)``
    /// means there are none. A live cache holds only the kinds it has informers for; a kind it does
    /// not hold is never taken to have no children (the engine starts an informer for it first).
    func holds(_ kind: GroupVersionKind) -> Bool
}

extension WorldSnapshot {
    /// Snapshots in memory hold every kind.
    public func holds(_ kind: GroupVersionKind) -> Bool { true }
}

/// A snapshot held in memory: for offline planning, tests, and as a reference implementation.
public struct InMemoryWorld: WorldSnapshot {
    private var objects: [GroupVersionKind: [ObjectKey: Value]] = [:]
    /// Kinds known to be cluster-scoped; every other kind is treated as namespaced.
    public var clusterScoped: Set<GroupVersionKind>

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

extension String {
    var trimmed: String { Substring(self).trimmingCharacters(in: " ") }
}
