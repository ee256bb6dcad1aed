import TendValue
import TendYAML

extension RuleCompiler {
    mutating func compileSchema() -> SchemaSpec? {
        let path: YAMLPath = ["spec", "schema"]
        let known = ["group", "version", "kind", "plural", "singular", "scope", "shortNames", "spec", "status"]
        guard reader.object(path, known: known, what: "schema") != nil else { return nil }
        let group = reader.string(path.appending(key: "group"), required: true, what: "schema.group") ?? ""
        let version = reader.string(path.appending(key: "version"), required: true, what: "schema.version") ?? ""
        let kind = reader.string(path.appending(key: "kind"), required: true, what: "schema.kind") ?? ""
        if !group.isEmpty && !group.contains(".") {
            reader.error("schema.group must be a domain name with a dot (e.g. example.com), as CRDs require", at: path.appending(key: "group"))
        }
        if let f = kind.first, !f.isUppercase {
            reader.error("schema.kind should be UpperCamelCase (e.g. WebApp)", at: path.appending(key: "kind"))
        }
        let plural = reader.string(path.appending(key: "plural"), what: "schema.plural") ?? Self.plural(of: kind.lowercased())
        let singular = reader.string(path.appending(key: "singular"), what: "schema.singular") ?? kind.lowercased()
        var scope = SchemaSpec.Scope.namespaced
        if let s = reader.string(path.appending(key: "scope"), what: "schema.scope") {
            if let parsed = SchemaSpec.Scope(rawValue: s) { scope = parsed } else {
                reader.error("schema.scope must be Namespaced or Cluster, found \"\(s)\"", at: path.appending(key: "scope"))
            }
        }
        let shortNames = reader.stringList(path.appending(key: "shortNames"), what: "schema.shortNames") ?? []
        let spec = fieldSchemas(path.appending(key: "spec"))
        let status = fieldSchemas(path.appending(key: "status"))
        guard !group.isEmpty, !version.isEmpty, !kind.isEmpty else { return nil }
        return SchemaSpec(group: group, version: version, kind: kind, plural: plural, singular: singular, scope: scope, shortNames: shortNames, spec: spec, status: status)
    }

    /// A map of field name to OpenAPI schema, each checked for a known `type`.
    private mutating func fieldSchemas(_ path: YAMLPath) -> Value.Object {
        guard case .object(let o)? = reader.value(path) else {
            if let v = reader.value(path), !v.isNull { reader.error("expected a mapping of field name to schema, found \(v.typeName)", at: path) }
            return Value.Object()
        }
        for (name, schema) in o { checkFieldSchema(schema, path: path.appending(key: name)) }
        return o
    }

    private mutating func checkFieldSchema(_ schema: Value, path: YAMLPath) {
        guard case .object(let s) = schema else {
            reader.error("a field schema must be a mapping like {type: string}", at: path)
            return
        }
        let types = ["string", "integer", "number", "boolean", "array", "object"]
        if let t = s["type"] {
            if let name = t.stringValue, !types.contains(name) {
                var message = "unknown type \"\(name)\" (\(types.joined(separator: ", ")))"
                if let sug = Suggestion.closest(to: name, in: types) { message += "; did you mean \"\(sug)\"?" }
                reader.error(message, at: path.appending(key: "type"))
            }
        } else if s["x-kubernetes-preserve-unknown-fields"] == nil && s["x-kubernetes-int-or-string"] == nil {
            reader.error("a field schema needs a type", at: path, onKey: true)
        }
        if case .object(let props)? = s["properties"] {
            for (name, child) in props { checkFieldSchema(child, path: path.appending(key: "properties").appending(key: name)) }
        }
        if let items = s["items"] { checkFieldSchema(items, path: path.appending(key: "items")) }
    }

    /// English plural of a lowercase kind, as kubectl guesses it for CRDs.
    static func plural(of word: String) -> String {
        if word.hasSuffix("s") || word.hasSuffix("x") || word.hasSuffix("ch") || word.hasSuffix("sh") { return word + "es" }
        if word.hasSuffix("y"), let beforeLast = word.dropLast().last, !"aeiou".contains(beforeLast) { return word.dropLast() + "ies" }
        return word + "s"
    }
}
