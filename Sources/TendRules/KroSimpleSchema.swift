import TendValue

/// kro's SimpleSchema (`name: string | required=true default="app"`) as the OpenAPI field schemas a
/// rule's `schema.spec` and `schema.types` hold.
///
/// A field is a string `TYPE | MARKER...` or a mapping of nested fields (an object). Types:
/// `string`, `integer`, `boolean`, `float`/`number`, `object` (unstructured: its fields are kept as
/// they are), `[]T`, `map[string]T` and names declared under `types`. Markers: `required`,
/// `default`, `description`, `enum`, `minimum`, `maximum`, `pattern`, `minLength`, `maxLength`,
/// `minItems`, `maxItems`, `uniqueItems`, `immutable`, `listType`, `listMapKey`
/// (``KroMarkers``). Whatever cannot be read is reported through `report` with its path, never
/// dropped silently.
struct KroSimpleSchema {
    /// Names declared under `schema.types`; a use of one becomes `type: Name` (Tend expands it).
    var typeNames: Set<String>
    /// Problems and approximations, each with its kro path.
    var findings: [KroImport.Finding] = []

    init(typeNames: Set<String>) { self.typeNames = typeNames }

    /// The field schemas of a SimpleSchema mapping (`spec:`, a custom type), by field name, in order.
    mutating func fields(_ value: Value, path: String) -> Value.Object {
        var out = Value.Object()
        guard case .object(let o) = value else {
            findings.append(.init(path: path, "expected a mapping of field names to SimpleSchema types, found \(value.typeName); not converted"))
            return out
        }
        for (name, field) in o {
            if let schema = self.field(field, path: "\(path).\(name)") { out[name] = schema }
        }
        return out
    }

    /// One field: a `TYPE | MARKERS` string, or a mapping (a structured object). Nil when the field
    /// cannot be converted (reported).
    mutating func field(_ value: Value, path: String) -> Value? {
        switch value {
        case .object(let o):
            // A nested structure: an object with these properties.
            return ["type": "object", "properties": .object(fields(.object(o), path: path))]
        case .string(let text):
            let (typeText, markerText) = Self.split(text)
            guard var schema = type(typeText, path: path) else { return nil }
            var markers = KroMarkers(text: markerText)
            schema = markers.apply(to: schema, path: path)
            findings += markers.findings
            return schema
        default:
            findings.append(.init(path: path, "a SimpleSchema field is a type string or a mapping, found \(value.typeName) (\(value)); not converted"))
            return nil
        }
    }

    /// Splits `TYPE | MARKERS` at the first `|` outside brackets (`map[string]string` has none).
    static func split(_ text: String) -> (type: String, markers: String) {
        guard let bar = text.firstIndex(of: "|") else { return (text.kroTrimmed, "") }
        return (String(text[..<bar]).kroTrimmed, String(text[text.index(after: bar)...]).kroTrimmed)
    }

    /// The OpenAPI schema of a type expression; nil (reported) for a type that is not SimpleSchema.
    mutating func type(_ text: String, path: String) -> Value? {
        switch text {
        case "string": return ["type": "string"]
        case "integer", "int": return ["type": "integer"]
        case "boolean", "bool": return ["type": "boolean"]
        case "float", "number": return ["type": "number"]
        case "object":
            return ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        default: break
        }
        if text.hasPrefix("[]") {
            guard let items = type(String(text.dropFirst(2)), path: path) else { return nil }
            return ["type": "array", "items": items]
        }
        if text.hasPrefix("map[") {
            guard let close = Self.closingBracket(in: text) else {
                findings.append(.init(path: path, "unbalanced brackets in the map type \"\(text)\"; not converted"))
                return nil
            }
            let key = String(text[text.index(text.startIndex, offsetBy: 4)..<close])
            if key != "string" {
                findings.append(.init(path: path, "map keys are strings in Kubernetes, found map[\(key)]; converted with string keys", severity: .note))
            }
            guard let element = type(String(text[text.index(after: close)...]), path: path) else { return nil }
            return ["type": "object", "additionalProperties": element]
        }
        if typeNames.contains(text) { return ["type": .string(text)] }
        findings.append(.init(path: path, "unknown SimpleSchema type \"\(text)\"; not converted"))
        return nil
    }

    /// The `]` matching the `[` of `map[`.
    private static func closingBracket(in text: String) -> String.Index? {
        var depth = 0
        for i in text.indices {
            if text[i] == "[" { depth += 1 }
            if text[i] == "]" {
                depth -= 1
                if depth == 0 { return i }
            }
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var kroTrimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
