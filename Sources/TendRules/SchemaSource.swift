public import TendMeta
public import TendValue
import Synchronization

/// Where `tend check --cluster` gets the authoritative schema of a kind: the cluster's OpenAPI
/// document, or a fixture in tests. The rule compiler uses it, when given, to check child templates
/// and to type children, lookups and a schema-less rule's `self` (docs/rules.md, "Checking against
/// the cluster").
///
/// Contract: ``objectSchema(for:)`` returns a self-contained OpenAPI schema of the whole object
/// (no `$ref`), in the dialect ``SchemaFieldChecker`` reads: `type`, `properties`,
/// `additionalProperties`, `items`, and `x-kubernetes-int-or-string` /
/// `x-kubernetes-preserve-unknown-fields` wherever a value is not of one JSON type. Nil means the
/// kind is unknown, and nothing more is checked about it. Implementations must be pure and cheap
/// after the first call for a kind: the compiler may ask several times.
public protocol SchemaSource: Sendable {
    func objectSchema(for kind: GroupVersionKind) -> Value?
}

/// The schemas of an OpenAPI v2 document (`GET /openapi/v2`): each definition tagged with
/// `x-kubernetes-group-version-kind` is the schema of that kind.
///
/// A kind's schema is resolved on first request and cached: `$ref`s are inlined (a reference
/// back into a definition being inlined, as in JSONSchemaProps, becomes an unchecked `{}`),
/// descriptions dropped, and v2's spellings normalised: `format: int-or-string` (IntOrString) and
/// Quantity (a `string` that also accepts numbers in manifests) become
/// `x-kubernetes-int-or-string: true`, and a schema with `allOf`/`anyOf`/`oneOf` loses its `type`
/// (unchecked), so that no value the server accepts is ever rejected.
public final class OpenAPISchemas: SchemaSource {
    /// The definition of Quantity, which v2 declares as a plain string.
    static let quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"

    private let definitions: [String: Value]
    private let byKind: [GroupVersionKind: String]
    private let cache = Mutex<[GroupVersionKind: Value]>([:])

    /// - Parameter document: the whole OpenAPI v2 document (with `definitions`).
    public init(document: Value) {
        var definitions: [String: Value] = [:]
        var byKind: [GroupVersionKind: String] = [:]
        for (name, definition) in document["definitions"]?.objectValue ?? Value.Object() {
            definitions[name] = definition
            for tag in definition["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                guard let kind = tag["kind"]?.stringValue, let version = tag["version"]?.stringValue else { continue }
                let gvk = GroupVersionKind(groupVersion: GroupVersion(group: tag["group"]?.stringValue ?? "", version: version), kind: kind)
                // A kind listed by several definitions (old aliases) keeps the first.
                if byKind[gvk] == nil { byKind[gvk] = name }
            }
        }
        self.definitions = definitions
        self.byKind = byKind
    }

    /// How many kinds the document describes.
    public var kindCount: Int { byKind.count }

    public func objectSchema(for kind: GroupVersionKind) -> Value? {
        if let cached = cache.withLock({ $0[kind] }) { return cached }
        guard let name = byKind[kind], let definition = definitions[name] else { return nil }
        let resolved = resolve(definition, inlining: [name])
        cache.withLock { $0[kind] = resolved }
        return resolved
    }

    /// `schema` with its references inlined; `inlining` holds the definitions being inlined (a
    /// reference to one of them is a cycle).
    private func resolve(_ schema: Value, inlining: Set<String>) -> Value {
        guard let s = schema.objectValue else { return schema }
        if let ref = s["$ref"]?.stringValue {
            let name = ref.hasPrefix("#/definitions/") ? String(ref.dropFirst("#/definitions/".count)) : ref
            if name == Self.quantity { return ["x-kubernetes-int-or-string": true] }
            guard !inlining.contains(name), let target = definitions[name] else { return [:] }
            return resolve(target, inlining: inlining.union([name]))
        }
        var out = Value.Object()
        for (key, value) in s {
            switch key {
            case "properties":
                var properties = Value.Object()
                for (field, child) in value.objectValue ?? Value.Object() { properties[field] = resolve(child, inlining: inlining) }
                out[key] = .object(properties)
            case "additionalProperties" where value.objectValue != nil, "items" where value.objectValue != nil:
                out[key] = resolve(value, inlining: inlining)
            case "type", "additionalProperties", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "format":
                out[key] = value
            default:
                break
            }
        }
        if out["format"]?.stringValue == "int-or-string" || s["allOf"] != nil || s["anyOf"] != nil || s["oneOf"] != nil {
            _ = out.removeValue(forKey: "type")
            if out["format"]?.stringValue == "int-or-string" { out["x-kubernetes-int-or-string"] = true }
        }
        return .object(out)
    }
}
