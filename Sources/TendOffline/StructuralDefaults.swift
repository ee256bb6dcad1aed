public import TendMeta
public import TendValue

/// The `default:` values of CRD schemas, applied to objects as the API server applies them.
///
/// The API server fills in a structural schema's defaults whenever it writes or reads a custom
/// object: for every property a schema declares with `default:` that the object lacks, the default
/// is set, and the walk goes on into the (possibly defaulted) value, so `default: {}` on an object
/// lets the defaults of its properties apply. Lists are walked item by item through `items`, maps
/// through `additionalProperties`. A `null` where the schema does not say `nullable: true` counts
/// as absent. The offline cluster applies them so `tend test` and `tend plan --state` see what a rule
/// sees on a real cluster (a template reading `self.spec.replicas` that only a default provides).
public struct StructuralDefaults: Sendable {
    /// `openAPIV3Schema` by the kind and version it describes.
    private var schemas: [GroupVersionKind: Value] = [:]

    public init() {}

    /// Whether no schema is known.
    public var isEmpty: Bool { schemas.isEmpty }

    /// Whether a schema of `kind` is known.
    public func knows(_ kind: GroupVersionKind) -> Bool { schemas[kind] != nil }

    /// Learns the schemas of every version of a CustomResourceDefinition.
    public mutating func register(crd: Value) {
        guard let group = crd["spec"]?["group"]?.stringValue, let kind = crd["spec"]?["names"]?["kind"]?.stringValue else { return }
        for version in crd["spec"]?["versions"]?.arrayValue ?? [] {
            guard let name = version["name"]?.stringValue, let schema = version["schema"]?["openAPIV3Schema"] else { continue }
            schemas[GroupVersionKind(groupVersion: GroupVersion(group: group, version: name), kind: kind)] = schema
        }
    }

    /// `object` with the defaults of its kind's schema filled in (unchanged when none is known).
    public func applied(to object: Value) -> Value {
        guard let schema = schema(of: object) else { return object }
        return Self.defaulted(object, schema: schema)
    }

    /// The `openAPIV3Schema` of `object`'s kind and version, when known.
    func schema(of object: Value) -> Value? {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kindName = object["kind"]?.stringValue,
            let kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName)
        else { return nil }
        return schemas[kind]
    }

    static func defaulted(_ value: Value, schema: Value) -> Value {
        switch value {
        case .object(var fields):
            let properties = schema["properties"]?.objectValue ?? Value.Object()
            for (name, property) in properties {
                if fields[name] == nil || (fields[name] == .null && property["nullable"] != true), let d = property["default"] {
                    fields[name] = d
                }
                if let present = fields[name], present != .null { fields[name] = defaulted(present, schema: property) }
            }
            if case .object = schema["additionalProperties"], let itemSchema = schema["additionalProperties"] {
                for (name, v) in fields where properties[name] == nil { fields[name] = defaulted(v, schema: itemSchema) }
            }
            return .object(fields)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { defaulted($0, schema: itemSchema) })
        default:
            return value
        }
    }
}
