import TendCEL
import TendValue

/// Checks the field paths an expression reads from `self` against the rule's `schema`, so a
/// misspelled `${self.spec.replicsa}` is a load-time error instead of a missing value at run time.
///
/// The object schema it checks against is the one `tend crds` prints (`spec` as declared; `status`
/// as declared plus what Tend writes: phase, conditions, observedGeneration, phaseTransitionTime,
/// phaseHistory, pendingTransition, the rule's `status.fields` and the first step of a custom phase
/// path), with `apiVersion`, `kind` and ObjectMeta's fields added. Paths are followed through
/// `properties`, `additionalProperties` (any key) and, after an index, `items`. Checking stops,
/// accepting anything below, at a schema with `x-kubernetes-preserve-unknown-fields: true`,
/// `x-kubernetes-int-or-string`, `additionalProperties: true`, no `type`, or an object with neither
/// `properties` nor `additionalProperties`. Problems:
/// - a field the object's `properties` do not declare (`self.spec has no field "replicsa"; did you mean "replicas"?`);
/// - a field selected on a scalar or a list (`self.spec.image is a string; it has no field "tag"`);
/// - a comparison of a scalar field with a literal of another type (`self.spec.replicas == "3"`).
struct SchemaFieldChecker: CELFieldPathChecker {
    /// The schema of the whole watched object.
    let object: Value

    /// ObjectMeta's fields (`self.metadata.*`).
    static let objectMeta: Value.Object = {
        let string: Value = ["type": "string"]
        let stringMap: Value = ["type": "object", "additionalProperties": string]
        let unchecked: Value = ["x-kubernetes-preserve-unknown-fields": true]
        let integer: Value = ["type": "integer"]
        let time: Value = ["type": "string", "format": "date-time"]
        let fields: [(String, Value)] = [
            ("name", string), ("generateName", string), ("namespace", string), ("uid", string),
            ("resourceVersion", string), ("generation", integer),
            ("creationTimestamp", time), ("deletionTimestamp", time),
            ("deletionGracePeriodSeconds", integer), ("labels", stringMap), ("annotations", stringMap),
            ("finalizers", ["type": "array", "items": string]), ("ownerReferences", unchecked), ("managedFields", unchecked),
        ]
        return Value.Object(fields)
    }()

    /// - Parameters:
    ///   - phasePath: where the rule writes its phase (`status.phase` unless `status.phase.path` says otherwise).
    ///   - statusFields: the names of the rule's `status.fields`.
    init(schema: SchemaSpec, phasePath: FieldPath?, statusFields: [String]) {
        let crd = schema.customResourceDefinition(phasePath: FieldPath([.key("status"), .key("phase")]), statusFields: statusFields)
        var root = crd["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?.objectValue ?? Value.Object()
        var properties = root["properties"]?.objectValue ?? Value.Object()
        properties["apiVersion"] = ["type": "string"]
        properties["kind"] = ["type": "string"]
        properties["metadata"] = ["type": "object", "properties": .object(Self.objectMeta)]
        if let phasePath, phasePath.components.count > 1, case .key("status") = phasePath.components[0],
           case .key(let name) = phasePath.components[1], properties["status"]?["properties"]?[name] == nil {
            var status = properties["status"]?.objectValue ?? Value.Object()
            var statusProperties = status["properties"]?.objectValue ?? Value.Object()
            statusProperties[name] = phasePath.components.count == 2 ? ["type": "string"] : ["x-kubernetes-preserve-unknown-fields": true]
            status["properties"] = .object(statusProperties)
            properties["status"] = .object(status)
        }
        root["properties"] = .object(properties)
        object = .object(root)
    }

    /// A checker of paths into `object`, a whole object's schema as ``SchemaSource`` gives it (a
    /// kind from the cluster, or `{type: array, items: ...}` for a list of such objects).
    init(object: Value) {
        self.object = object
    }

    /// The checker of one element, when `object` is a list's schema (a `forEach` child's kind).
    var elementChecker: SchemaFieldChecker? {
        guard object["type"]?.stringValue == "array", let items = object["items"] else { return nil }
        return SchemaFieldChecker(object: items)
    }

    func problems(in path: CELFieldPath) -> [CELFieldProblem] {
        var node = object
        for (i, segment) in path.segments.enumerated() {
            guard let schema = node.objectValue, let type = Self.checkedType(schema) else { return [] }
            switch (type, segment.step) {
            case ("object", .field(let name)):
                if let child = schema["properties"]?[name] {
                    node = child
                } else if let values = schema["additionalProperties"], values.objectValue != nil {
                    node = values
                } else if let declared = schema["properties"]?.objectValue, schema["additionalProperties"]?.boolValue != true {
                    var message = "\(path.text(upTo: i)) has no field \"\(name)\""
                    if let s = Suggestion.closest(to: name, in: declared.keys) { message += "; did you mean \"\(s)\"?" }
                    return [CELFieldProblem(message, at: i, of: path)]
                } else {
                    return []
                }
            case ("object", .index):
                guard let values = schema["additionalProperties"], values.objectValue != nil else { return [] }
                node = values
            case ("array", .index):
                guard let items = schema["items"] else { return [] }
                node = items
            case (_, .field(let name)):
                let what = type == "array" ? "a list" : Self.article(type)
                return [CELFieldProblem("\(path.text(upTo: i)) is \(what); it has no field \"\(name)\"", at: i, of: path)]
            case (_, .index):
                return []
            }
        }
        guard let comparison = path.comparison, let schema = node.objectValue, let type = Self.checkedType(schema),
              let literal = Self.literalType(comparison.literal) else { return [] }
        if Self.isDateTime(schema), literal == "string" {
            return [CELFieldProblem(
                "\(path.text(upTo: path.segments.count)) is a timestamp (format: date-time), but it is compared with a string; compare it with timestamp(\"...\")",
                offset: comparison.offset, length: comparison.length)]
        }
        guard !Self.compatible(type, literal) else { return [] }
        return [CELFieldProblem(
            "\(path.text(upTo: path.segments.count)) is \(Self.article(type)) in the schema, but it is compared with \(Self.article(literal))",
            offset: comparison.offset, length: comparison.length)]
    }

    /// The schema's `type` when paths below it can be checked; nil when anything goes.
    static func checkedType(_ schema: Value.Object) -> String? {
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return nil }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return nil }
        return schema["type"]?.stringValue
    }

    /// The OpenAPI type a literal has (nil for null, bytes and other values never compared by type).
    /// Whether values of the schema are timestamps in CEL: a string with `format: date-time`.
    static func isDateTime(_ schema: Value.Object) -> Bool {
        schema["type"]?.stringValue == "string" && schema["format"]?.stringValue == "date-time"
    }

    static func literalType(_ v: CELValue) -> String? {
        switch v {
        case .int, .uint: "integer"
        case .double: "number"
        case .string: "string"
        case .bool: "boolean"
        default: nil
        }
    }

    static func compatible(_ schemaType: String, _ literalType: String) -> Bool {
        let numbers: Set<String> = ["integer", "number"]
        if numbers.contains(schemaType) { return numbers.contains(literalType) }
        if ["string", "boolean"].contains(schemaType) { return schemaType == literalType }
        return true  // arrays and objects compared with a literal: not a scalar mismatch this checks
    }

    static func article(_ type: String) -> String {
        switch type {
        case "integer": "an integer"
        case "object": "an object"
        case "array": "an array"
        default: "a \(type)"
        }
    }
}

extension SchemaFieldChecker {
    /// The schema's `maxItems` (an array) or `maxProperties` (an object) at `path`, followed as
    /// ``problems(in:)`` follows it; nil when the path leaves the schema or declares no bound.
    func maxSize(of path: CELFieldPath) -> Int64? {
        var node = object
        for segment in path.segments {
            guard let schema = node.objectValue else { return nil }
            switch (schema["type"]?.stringValue, segment.step) {
            case ("object", .field(let name)):
                guard let child = schema["properties"]?[name] ?? schema["additionalProperties"].flatMap({ $0.objectValue != nil ? $0 : nil }) else { return nil }
                node = child
            case ("object", .index):
                guard let values = schema["additionalProperties"], values.objectValue != nil else { return nil }
                node = values
            case ("array", .index):
                guard let items = schema["items"] else { return nil }
                node = items
            default:
                return nil
            }
        }
        switch node["type"]?.stringValue {
        case "array": return node["maxItems"]?.intValue
        case "object": return node["maxProperties"]?.intValue
        default: return nil
        }
    }
}

extension SchemaFieldChecker {
    /// The static type of `self` for the type checker, from the same object schema the field
    /// paths are checked against.
    var selfType: CELStaticType { Self.staticType(of: object) }

    /// The CEL type of values an OpenAPI schema admits: `string` (a timestamp with
    /// `format: date-time`, as the API server's CEL types it), `integer` (int), `boolean`,
    /// `array` (a list of its `items`' type), `object` (its `properties` as known fields, any other
    /// key of its `additionalProperties`' type; a map when it has only `additionalProperties`).
    /// `dyn` where a value may have several CEL types: `number` (JSON writes `1.0` as `1`, an int),
    /// `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`, no `type`.
    static func staticType(of schema: Value) -> CELStaticType {
        guard let s = schema.objectValue, let type = checkedType(s) else { return .dyn }
        switch type {
        case "string": return isDateTime(s) ? .timestamp : .string
        case "integer": return .int
        case "boolean": return .bool
        case "array": return .list(s["items"].map(staticType(of:)) ?? .dyn)
        case "object":
            let other: CELStaticType? =
                switch s["additionalProperties"] {
                case .object?: staticType(of: s["additionalProperties"]!)
                case .bool(true)?: .dyn
                default: nil
                }
            if let properties = s["properties"]?.objectValue {
                var fields: [String: CELStaticType] = [:]
                for (name, child) in properties { fields[name] = staticType(of: child) }
                return .object(fields: fields, otherFields: other)
            }
            return .map(key: .string, value: other ?? .dyn)
        default: return .dyn
        }
    }
}
