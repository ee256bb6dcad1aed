public import TendValue

extension SchemaSpec {
    /// The CRD form of a map of field schemas as a rule writes them: `required: true` on a field moves
    /// into its parent's `required` list (OpenAPI's form), recursively; a named type (`type: Port`,
    /// or `items: {type: Port}`) is replaced by its definition from `schema.types`; and an object
    /// with defaults somewhere below it and no required fields gets an implied `default: {}`, so the
    /// defaults apply when the user leaves the whole object out (the API server only defaults inside
    /// objects that exist).
    ///
    /// Returns the properties and the names the rule marked `required: true`.
    static func structural(_ fields: Value.Object, types: Value.Object = Value.Object()) -> (properties: Value.Object, required: [String]) {
        var properties = Value.Object()
        var required: [String] = []
        for (name, schema) in fields {
            var s = structural(schema, types: types, depth: 0)
            if s["required"] == true {
                required.append(name)
                s["required"] = nil
            } else if s["required"] == false {
                s["required"] = nil
            }
            properties[name] = s
        }
        return (properties, required)
    }

    /// One field schema in CRD form (see ``structural(_:types:)``). Named types nest at most 16 deep.
    static func structural(_ schema: Value, types: Value.Object, depth: Int) -> Value {
        guard case .object(var s) = schema else { return schema }
        if let name = s["type"]?.stringValue, let named = types[name], depth < 16, case .object(let definition) = named {
            // The use site's own keys (description, default, required) win over the definition's.
            var merged = definition
            for (k, v) in s where k != "type" { merged[k] = v }
            return structural(.object(merged), types: types, depth: depth + 1)
        }
        var requiredFields = s["required"]?.arrayValue ?? []
        if case .object(let props)? = s["properties"] {
            let (properties, required) = structural(props, types: types)
            s["properties"] = .object(properties)
            requiredFields += required.map(Value.string)
        }
        if let items = s["items"] { s["items"] = structural(items, types: types, depth: depth) }
        if case .object(let additional)? = s["additionalProperties"] {
            s["additionalProperties"] = structural(.object(additional), types: types, depth: depth)
        }
        // `required: true` is this field's own flag (its parent lists it); a list is OpenAPI's.
        let ownFlag = s["required"].flatMap { $0 == true || $0 == false ? $0 : nil }
        s["required"] = nil
        if !requiredFields.isEmpty { s["required"] = .array(requiredFields) }
        if s["default"] == nil, s["type"] == "object", s["required"] == nil, hasDefaults(.object(s)) {
            s["default"] = .emptyObject
        }
        var result = Value.object(s)
        if let ownFlag { result["required"] = ownFlag }
        return result
    }

    /// Whether a default is declared anywhere below `schema` (through properties only: defaults of
    /// list items and map values apply to items that exist).
    static func hasDefaults(_ schema: Value) -> Bool {
        for (_, p) in schema["properties"]?.objectValue ?? Value.Object() {
            if p["default"] != nil || hasDefaults(p) { return true }
        }
        return false
    }
}
