public import TendMeta
public import TendValue

/// How server-side apply treats each list field of a kind: replaced whole (atomic), merged as a set
/// of scalars, or merged item by item by key fields (a "list map": `containers` by `name`, Service
/// `ports` by `port` and `protocol`).
///
/// Built-in kinds come from ``BuiltinListTypes``, generated from a real API server's `/openapi/v2`
/// (`scripts/generate-list-types`); custom kinds from their CRD's `x-kubernetes-list-type` and
/// `x-kubernetes-list-map-keys` (``register(crd:)``). A list not described is atomic, as it is for
/// the API server.
public struct ListTypes: Sendable {
    public enum ListType: Sendable, Equatable {
        case atomic
        case set
        /// Items are merged by these fields, which every item must have.
        case map(keys: [String])
    }

    /// `apiVersion/kind` -> dotted path (list items add no step) -> key fields (`[]` for a set).
    private var table: [String: [String: [String]]]

    public init() { table = [:] }

    /// The built-in kinds' list types.
    public static let builtin: ListTypes = {
        var types = ListTypes()
        guard case .object(let kinds)? = try? JSON.parse(BuiltinListTypes.json) else { return types }
        for (kind, fields) in kinds {
            var paths: [String: [String]] = [:]
            for (path, keys) in fields.objectValue ?? Value.Object() { paths[path] = (keys.arrayValue ?? []).compactMap(\.stringValue) }
            types.table[kind] = paths
        }
        return types
    }()

    /// The list type at `path` (field names from the object's root; list items add no step) of `kind`.
    public func listType(_ kind: GroupVersionKind, at path: [String]) -> ListType {
        guard let keys = table[Self.key(kind)]?[path.joined(separator: ".")] else {
            // ObjectMeta is the same everywhere, also for custom kinds.
            if path == ["metadata", "finalizers"] { return .set }
            if path == ["metadata", "ownerReferences"] { return .map(keys: ["uid"]) }
            return .atomic
        }
        return keys.isEmpty ? .set : .map(keys: keys)
    }

    /// Learns the list types a CustomResourceDefinition's schemas declare.
    public mutating func register(crd: Value) {
        guard let group = crd["spec"]?["group"]?.stringValue, let kind = crd["spec"]?["names"]?["kind"]?.stringValue else { return }
        for version in crd["spec"]?["versions"]?.arrayValue ?? [] {
            guard let name = version["name"]?.stringValue, let schema = version["schema"]?["openAPIV3Schema"] else { continue }
            var paths: [String: [String]] = [:]
            Self.collect(schema, path: [], into: &paths)
            table[Self.key(GroupVersionKind(groupVersion: GroupVersion(group: group, version: name), kind: kind))] = paths
        }
    }

    private static func collect(_ schema: Value, path: [String], into paths: inout [String: [String]]) {
        guard path.count < 32 else { return }
        if schema["type"] == "array" {
            switch schema["x-kubernetes-list-type"]?.stringValue {
            case "map": paths[path.joined(separator: ".")] = (schema["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
            case "set": paths[path.joined(separator: ".")] = []
            default: break
            }
            if let items = schema["items"] { collect(items, path: path, into: &paths) }
            return
        }
        for (name, property) in schema["properties"]?.objectValue ?? Value.Object() { collect(property, path: path + [name], into: &paths) }
    }

    private static func key(_ kind: GroupVersionKind) -> String { kind.apiVersion + "/" + kind.kind }

    /// Key fields the API server defaults in list-map items: `protocol` (ports of Services and
    /// containers) is `TCP` when not given.
    static let defaultedKeys: [String: Value] = ["protocol": "TCP"]

    /// `object` with the defaulted key fields (``defaultedKeys``) filled into the list-map items
    /// that lack them. Server-side apply needs every key field of an item, and API servers before
    /// 1.21 refuse a port without `protocol` ("associative list with keys has an element that omits
    /// key field") although they would default it; Tend writes the default, as later servers do.
    public func withDefaultedKeys(_ object: Value, kind: GroupVersionKind) -> Value {
        fill(object, kind: kind, path: [])
    }

    private func fill(_ value: Value, kind: GroupVersionKind, path: [String]) -> Value {
        switch value {
        case .object(var fields):
            for (name, child) in fields { fields[name] = fill(child, kind: kind, path: path + [name]) }
            return .object(fields)
        case .array(let items):
            let keys: [String] = if case .map(let k) = listType(kind, at: path) { k } else { [] }
            return .array(items.map { item in
                guard case .object(var fields) = fill(item, kind: kind, path: path) else { return fill(item, kind: kind, path: path) }
                for key in keys where fields[key] == nil { if let d = Self.defaultedKeys[key] { fields[key] = d } }
                return .object(fields)
            })
        default:
            return value
        }
    }
}
