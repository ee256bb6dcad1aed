public import TendValue

/// The identity of a cached object within one resource: namespace and name.
///
/// Cluster-scoped objects have an empty namespace. The string form is `namespace/name`, or `name`
/// for cluster-scoped objects, as client-go's `MetaNamespaceKeyFunc`.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of an object from its `metadata.namespace` and `metadata.name`; nil without a name.
    public init?(_ object: Value) {
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else { return nil }
        self.init(namespace: object["metadata"]?["namespace"]?.stringValue ?? "", name: name)
    }

    /// Parses `namespace/name` or `name`.
    public init?(parsing string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty: self.init(name: String(parts[0]))
        case 2 where !parts[1].isEmpty: self.init(namespace: String(parts[0]), name: String(parts[1]))
        default: return nil
        }
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// Read-only views of the metadata fields the runtime needs, on dynamic objects.
enum Metadata {
    static func resourceVersion(_ object: Value) -> String? {
        object["metadata"]?["resourceVersion"]?.stringValue
    }

    static func labels(_ object: Value) -> Value.Object? {
        object["metadata"]?["labels"]?.objectValue
    }

    /// The UID of the owner reference marked `controller: true`, if any.
    static func controllerUID(_ object: Value) -> String? {
        guard let refs = object["metadata"]?["ownerReferences"]?.arrayValue else { return nil }
        for ref in refs where ref["controller"]?.boolValue == true {
            return ref["uid"]?.stringValue
        }
        return nil
    }
}
