import TendValue

/// The markers after `|` in a kro SimpleSchema field (`default="x" required=true enum="a,b"`), read
/// and applied to the field's OpenAPI schema.
///
/// A value is `"quoted"` (with `\"` and `\\` escapes), a JSON `{...}` or `[...]` (brackets balanced
/// outside strings), or a bare word up to the next space. Each marker becomes what kro's CRD
/// generator makes of it; an unknown marker or a value that does not fit the field's type is a
/// finding, and the rest of the field is still converted.
struct KroMarkers {
    /// One `key=value`; `quoted` when the value was written in double quotes.
    struct Marker: Equatable {
        var key: String
        var value: String
        var quoted: Bool
    }

    var markers: [Marker] = []
    var findings: [KroImport.Finding] = []

    init(text: String) { markers = Self.parse(text) }

    /// The markers of `text`, in order; a word without `=` is a marker with an empty value.
    static func parse(_ text: String) -> [Marker] {
        var out: [Marker] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            guard i < chars.count else { break }
            var key = ""
            while i < chars.count, chars[i] != "=", chars[i] != " " { key.append(chars[i]); i += 1 }
            guard i < chars.count, chars[i] == "=" else {
                out.append(Marker(key: key, value: "", quoted: false))
                continue
            }
            i += 1
            var value = ""
            var quoted = false
            if i < chars.count, chars[i] == "\"" {
                quoted = true
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    value.append(chars[i])
                    i += 1
                }
                i += 1
            } else if i < chars.count, chars[i] == "{" || chars[i] == "[" {
                var depth = 0
                var inString = false
                while i < chars.count {
                    let c = chars[i]
                    value.append(c)
                    i += 1
                    if inString {
                        if c == "\\", i < chars.count { value.append(chars[i]); i += 1 } else if c == "\"" { inString = false }
                        continue
                    }
                    if c == "\"" { inString = true }
                    if c == "{" || c == "[" { depth += 1 }
                    if c == "}" || c == "]" { depth -= 1; if depth == 0 { break } }
                }
            } else {
                while i < chars.count, chars[i] != " ", chars[i] != "\t" { value.append(chars[i]); i += 1 }
            }
            out.append(Marker(key: key, value: value, quoted: quoted))
        }
        return out
    }

    /// `schema` with every marker applied.
    mutating func apply(to schema: Value, path: String) -> Value {
        var s = schema
        var mapKeys: [Value] = []
        for m in markers {
            switch m.key {
            case "required":
                if m.value == "true" { s["required"] = true } else if m.value != "false" { bad(m, path, "true or false") }
            case "default":
                if let v = typed(m, for: s, path: path) { s["default"] = v }
            case "description":
                s["description"] = .string(m.value)
            case "enum":
                let items = m.value.split(separator: ",").map { String($0).kroTrimmed }
                let values = items.compactMap { typed(Marker(key: "enum", value: $0, quoted: true), for: s, path: path) }
                if values.count == items.count { s["enum"] = .array(values) }
            case "minimum", "maximum":
                if let i = Int64(m.value) { s[m.key] = .int(i) } else if let d = Double(m.value) { s[m.key] = .double(d) } else { bad(m, path, "a number") }
            case "minLength", "maxLength", "minItems", "maxItems":
                if let i = Int64(m.value), i >= 0 { s[m.key] = .int(i) } else { bad(m, path, "a non-negative integer") }
            case "uniqueItems":
                if m.value == "true" || m.value == "false" { s["uniqueItems"] = .bool(m.value == "true") } else { bad(m, path, "true or false") }
            case "pattern":
                s["pattern"] = .string(m.value)
            case "immutable":
                // What kro's CRD generator writes: a transition rule (Kubernetes 1.25+ enforces it).
                if m.value == "true" {
                    s["x-kubernetes-validations"] = [["rule": "self == oldSelf", "message": "field is immutable"]]
                } else if m.value != "false" { bad(m, path, "true or false") }
            case "listType":
                if ["atomic", "set", "map"].contains(m.value) { s["x-kubernetes-list-type"] = .string(m.value) } else { bad(m, path, "atomic, set or map") }
            case "listMapKey":
                mapKeys.append(.string(m.value))
            default:
                findings.append(.init(path: path, "unknown SimpleSchema marker \(m.key)=\(m.value); not converted"))
            }
        }
        if !mapKeys.isEmpty { s["x-kubernetes-list-map-keys"] = .array(mapKeys) }
        return s
    }

    /// A marker's value as a value of the field's type (a default, an enum member).
    mutating func typed(_ m: Marker, for schema: Value, path: String) -> Value? {
        let type = schema["type"]?.stringValue ?? ""
        switch type {
        case "string":
            return .string(m.value)
        case "integer":
            if let i = Int64(m.value) { return .int(i) }
        case "number":
            if let i = Int64(m.value) { return .int(i) }
            if let d = Double(m.value) { return .double(d) }
        case "boolean":
            if m.value == "true" || m.value == "false" { return .bool(m.value == "true") }
        default:
            // Arrays, maps, objects and custom types: JSON, as kro reads them.
            if let v = try? JSON.parse(m.value) { return v }
        }
        bad(m, path, type.isEmpty ? "JSON" : "a value of type \(type)")
        return nil
    }

    private mutating func bad(_ m: Marker, _ path: String, _ expected: String) {
        findings.append(.init(path: path, "marker \(m.key)=\(m.value) is not \(expected); not converted"))
    }
}
