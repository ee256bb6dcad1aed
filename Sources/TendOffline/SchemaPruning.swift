public import TendValue

/// Pruning of unknown fields, as the API server prunes a custom object against its CRD's structural
/// schema on every write and read (apiextensions.k8s.io/v1 CRDs always prune).
///
/// Kept: at the root `apiVersion`, `kind` and `metadata`; in an object, the fields its `properties`
/// declare, and any field when it has `additionalProperties` (walked with that schema) or
/// `x-kubernetes-preserve-unknown-fields: true` (declared fields still walked);
/// `x-kubernetes-embedded-resource` objects keep `apiVersion`, `kind` and `metadata`;
/// `x-kubernetes-int-or-string` values are left alone. Everything else is dropped, so a field
/// declared `type: object` with neither `properties` nor `additionalProperties` keeps nothing, as on
/// a cluster. A `null` in a field that is not `nullable: true` and has no `default` is dropped too
/// (one with a default is then defaulted). Lists are walked item by item through `items`.
enum SchemaPruning {
    /// `object` (a whole custom object) without the fields its schema does not know.
    static func pruned(_ object: Value, schema: Value) -> Value {
        guard case .object(var fields) = object else { return object }
        let meta = ["apiVersion": fields["apiVersion"], "kind": fields["kind"], "metadata": fields["metadata"]]
        fields = (prune(.object(fields), schema: schema).objectValue) ?? fields
        for (k, v) in meta { if let v { fields[k] = v } }
        return .object(Self.ordered(fields, like: object))
    }

    private static func prune(_ value: Value, schema: Value) -> Value {
        if schema["x-kubernetes-int-or-string"] == true { return value }
        switch value {
        case .object(let fields):
            let properties = schema["properties"]?.objectValue ?? Value.Object()
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true
            let additional: Value? = if case .object = schema["additionalProperties"] { schema["additionalProperties"] } else { nil }
            let embedded = schema["x-kubernetes-embedded-resource"] == true
            var kept = Value.Object()
            for (name, v) in fields {
                if let property = properties[name] {
                    if v == .null, property["nullable"] != true, property["default"] == nil { continue }
                    kept[name] = v == .null ? v : prune(v, schema: property)
                } else if let additional {
                    kept[name] = prune(v, schema: additional)
                } else if preserve || schema["additionalProperties"] == true || (embedded && ["apiVersion", "kind", "metadata"].contains(name)) {
                    kept[name] = v
                }
            }
            return .object(kept)
        case .array(let items):
            guard let itemSchema = schema["items"], case .object = itemSchema else { return value }
            return .array(items.map { prune($0, schema: itemSchema) })
        default:
            return value
        }
    }

    /// `fields` in the order of `original`'s keys (the walk may have rebuilt them).
    private static func ordered(_ fields: Value.Object, like original: Value) -> Value.Object {
        guard case .object(let o) = original else { return fields }
        var result = Value.Object()
        for (k, _) in o { if let v = fields[k] { result[k] = v } }
        for (k, v) in fields where result[k] == nil { result[k] = v }
        return result
    }
}
