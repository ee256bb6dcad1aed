public import TendValue

/// The identity of an object within one resource: namespace (empty for cluster-scoped) and name.
///
/// Work queues and caches are keyed by this, as client-go keys by `namespace/name`.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `object`, from `metadata.namespace` and `metadata.name`; nil when it has no name.
    public init?(of object: Value) { self.init(metadata: object["metadata"] ?? .null) }

    /// The key of an object with this `metadata`; nil when it has no name.
    public init?(metadata: Value) {
        guard let name = metadata["name"]?.stringValue, !name.isEmpty else { return nil }
        self.init(namespace: metadata["namespace"]?.stringValue ?? "", name: name)
    }

    /// The key of `object`; nil when it has no name.
    public init?(_ object: Value) { self.init(of: object) }

    /// Parses `namespace/name` or `name`.
    public init?(parsing string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty: self.init(name: String(parts[0]))
        case 2 where !parts[1].isEmpty: self.init(namespace: String(parts[0]), name: String(parts[1]))
        default: return nil
        }
    }

    /// `namespace/name`, or `name` for a cluster-scoped object.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.namespace, a.name) < (b.namespace, b.name)
    }
}

/// An object named with its kind: what logs, events and errors print (`Deployment.v1.apps team-a/web`).
public struct ObjectReference: Sendable, Hashable, CustomStringConvertible {
    public var kind: GroupVersionKind
    public var key: ObjectKey

    public init(kind: GroupVersionKind, key: ObjectKey) {
        self.kind = kind
        self.key = key
    }

    /// The reference of `object`, from its `apiVersion`, `kind` and `metadata`; nil when one is missing.
    public init?(of object: Value) {
        guard let kind = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? ""),
            let key = ObjectKey(of: object)
        else { return nil }
        self.init(kind: kind, key: key)
    }

    public var description: String { "\(kind.kind).\(kind.version)\(kind.group.isEmpty ? "" : "." + kind.group) \(key)" }
}
