import TendRegex
public import TendValue

/// Validation of a custom object against its CRD's structural schema, as the API server validates
/// every create, update, apply and status write of a custom resource.
///
/// What is checked, with the API server's wording (kube-openapi's validator as apiextensions
/// reports it), so `tend test` refuses the writes a cluster would refuse:
/// - `type` (`integer` also takes a whole number written as `3.0`; `number` takes integers);
/// - `required` properties of an object that is present (`spec.image: Required value`);
/// - `enum` (`Unsupported value: "x": supported values: "a", "b"`);
/// - `minimum`/`maximum` with `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`;
/// - `minLength`/`maxLength` (in characters), `pattern` (searched, not anchored, as Go does);
/// - `minItems`/`maxItems`, `uniqueItems`, `minProperties`/`maxProperties`.
/// Errors are compared as a set: the API server's order follows its own walk. Inside lists it names
/// fields without the item's index (`spec.ports.port`), as the 1.20 API server does.
/// `nullable: true` allows `null`; elsewhere a `null` has already been pruned (``pruned(_:schema:)``).
/// Not checked: `format` (the API server only checks a few), `x-kubernetes-validations` (CEL rules
/// arrived after 1.20), `oneOf`/`anyOf`/`not`.
///
/// Contract: the object passed in has been pruned and defaulted already, as the API server orders it
/// (prune, default, validate).
enum SchemaValidator {
    /// One refused field, printed as the API server prints a `field.Error`.
    struct FieldError: Sendable, Hashable, CustomStringConvertible {
        var path: String
        var kind: Kind
        enum Kind: Sendable, Hashable {
            case required
            case unsupported(value: String, supported: [String])
            case invalid(value: String, detail: String)
        }

        var description: String {
            switch kind {
            case .required: "\(path): Required value"
            case .unsupported(let value, let supported): "\(path): Unsupported value: \(value): supported values: \(supported.joined(separator: ", "))"
            case .invalid(let value, let detail): "\(path): Invalid value: \(value): \(detail)"
            }
        }
    }

    /// The problems of `value` against `schema`, in the order the fields are walked.
    static func validate(_ value: Value, schema: Value, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        walk(value, schema: schema, path: path, into: &errors)
        return errors
    }

    private static func walk(_ value: Value, schema: Value, path: String, into errors: inout [FieldError]) {
        if value == .null {
            if schema["nullable"] != true, let type = schema["type"]?.stringValue {
                errors.append(.init(path: path, kind: .invalid(value: "\"null\"", detail: "\(path) in body must be of type \(type): \"null\"")))
            }
            return
        }
        if let type = schema["type"]?.stringValue, !matches(value, type: type), schema["x-kubernetes-int-or-string"] != true {
            errors.append(.init(path: path, kind: .invalid(value: "\"\(value.typeName)\"", detail: "\(path) in body must be of type \(type): \"\(value.typeName)\"")))
            return
        }
        if schema["x-kubernetes-int-or-string"] == true, !matches(value, type: "integer"), !matches(value, type: "string") {
            errors.append(.init(path: path, kind: .invalid(value: shown(value), detail: "\(path) in body must be of type integer,string: \"\(value.typeName)\"")))
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { equal($0, value) }) {
            errors.append(.init(path: path, kind: .unsupported(value: shown(value), supported: allowed.map(shown))))
        }
        switch value {
        case .int, .double:
            numeric(value, schema: schema, path: path, into: &errors)
        case .string(let s):
            string(s, schema: schema, path: path, into: &errors)
        case .array(let items):
            array(items, schema: schema, path: path, into: &errors)
        case .object(let fields):
            object(fields, schema: schema, path: path, into: &errors)
        default:
            break
        }
    }

    private static func numeric(_ value: Value, schema: Value, path: String, into errors: inout [FieldError]) {
        guard let x = number(value) else { return }
        if let min = schema["minimum"].flatMap(number) {
            let exclusive = schema["exclusiveMinimum"] == true
            if exclusive ? x <= min : x < min {
                errors.append(.init(path: path, kind: .invalid(value: shown(value), detail: "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(shown(schema["minimum"]!))")))
            }
        }
        if let max = schema["maximum"].flatMap(number) {
            let exclusive = schema["exclusiveMaximum"] == true
            if exclusive ? x >= max : x > max {
                errors.append(.init(path: path, kind: .invalid(value: shown(value), detail: "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(shown(schema["maximum"]!))")))
            }
        }
        if let factor = schema["multipleOf"].flatMap(number), factor > 0, (x / factor).rounded() != x / factor {
            errors.append(.init(path: path, kind: .invalid(value: shown(value), detail: "\(path) in body should be a multiple of \(shown(schema["multipleOf"]!))")))
        }
    }

    private static func string(_ s: String, schema: Value, path: String, into errors: inout [FieldError]) {
        let length = s.unicodeScalars.count
        if let max = schema["maxLength"]?.intValue, length > max {
            errors.append(.init(path: path, kind: .invalid(value: shown(.string(s)), detail: "\(path) in body should be at most \(max) chars long")))
        }
        if let min = schema["minLength"]?.intValue, length < min {
            errors.append(.init(path: path, kind: .invalid(value: shown(.string(s)), detail: "\(path) in body should be at least \(min) chars long")))
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
            errors.append(.init(path: path, kind: .invalid(value: shown(.string(s)), detail: "\(path) in body should match '\(pattern)'")))
        }
    }

    private static func array(_ items: [Value], schema: Value, path: String, into errors: inout [FieldError]) {
        if let max = schema["maxItems"]?.intValue, items.count > max {
            errors.append(.init(path: path, kind: .invalid(value: String(items.count), detail: "\(path) in body should have at most \(max) items")))
        }
        if let min = schema["minItems"]?.intValue, items.count < min {
            errors.append(.init(path: path, kind: .invalid(value: String(items.count), detail: "\(path) in body should have at least \(min) items")))
        }
        if schema["uniqueItems"] == true, Set(items).count != items.count {
            errors.append(.init(path: path, kind: .invalid(value: shown(.array(items)), detail: "\(path) in body shouldn't contain duplicates")))
        }
        guard let itemSchema = schema["items"], case .object = itemSchema else { return }
        // The 1.20 API server names an item's fields without the item's index (`spec.ports.port`).
        for item in items { walk(item, schema: itemSchema, path: path, into: &errors) }
    }

    private static func object(_ fields: Value.Object, schema: Value, path: String, into errors: inout [FieldError]) {
        let prefix = path.isEmpty ? "" : path + "."
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
            errors.append(.init(path: prefix + name, kind: .required))
        }
        if let max = schema["maxProperties"]?.intValue, fields.count > max {
            errors.append(.init(path: path, kind: .invalid(value: String(fields.count), detail: "\(path) in body should have at most \(max) properties")))
        }
        if let min = schema["minProperties"]?.intValue, fields.count < min {
            errors.append(.init(path: path, kind: .invalid(value: String(fields.count), detail: "\(path) in body should have at least \(min) properties")))
        }
        let properties = schema["properties"]?.objectValue ?? Value.Object()
        for (name, value) in fields {
            if let property = properties[name] {
                walk(value, schema: property, path: prefix + name, into: &errors)
            } else if case .object = schema["additionalProperties"], let itemSchema = schema["additionalProperties"] {
                // The 1.20 API server's validator takes an empty string among additionalProperties
                // for null too, and reports both.
                if value == "", let type = itemSchema["type"]?.stringValue, itemSchema["nullable"] != true {
                    errors.append(.init(path: prefix + name, kind: .invalid(value: "\"null\"", detail: "\(prefix + name) in body must be of type \(type): \"null\"")))
                }
                walk(value, schema: itemSchema, path: prefix + name, into: &errors)
            }
        }
    }

    private static func matches(_ value: Value, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object): true
        case ("integer", .int): true
        case ("integer", .double(let d)): d.rounded() == d && d.isFinite
        case ("number", .int), ("number", .double): true
        default: false
        }
    }

    private static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    private static func equal(_ a: Value, _ b: Value) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }

    /// A value as Go's `%#v` shows it in a field error: strings quoted, numbers bare.
    private static func shown(_ v: Value) -> String {
        switch v {
        case .string(let s): "\"\(s)\""
        case .int(let i): String(i)
        case .double(let d): d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): String(b)
        case .null: "null"
        default: JSON.serialize(v)
        }
    }
}
