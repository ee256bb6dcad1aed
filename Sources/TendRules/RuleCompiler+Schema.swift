import TendRegex
import TendValue
import TendYAML

extension RuleCompiler {
    mutating func compileSchema() -> SchemaSpec? {
        let path: YAMLPath = ["spec", "schema"]
        let known = ["group", "version", "kind", "plural", "singular", "scope", "shortNames", "categories", "printerColumns", "types", "spec", "status"]
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
        let categories = reader.stringList(path.appending(key: "categories"), what: "schema.categories") ?? []
        let typeNames = Set((reader.value(path.appending(key: "types"))?.objectValue ?? Value.Object()).map(\.key))
        let types = fieldSchemas(path.appending(key: "types"), typeNames: typeNames)
        let spec = fieldSchemas(path.appending(key: "spec"), typeNames: typeNames)
        let status = fieldSchemas(path.appending(key: "status"), typeNames: typeNames)
        let columns = printerColumns(path.appending(key: "printerColumns"))
        guard !group.isEmpty, !version.isEmpty, !kind.isEmpty else { return nil }
        var schema = SchemaSpec(group: group, version: version, kind: kind, plural: plural, singular: singular, scope: scope, shortNames: shortNames, spec: spec, status: status)
        schema.types = types
        schema.categories = categories
        schema.printerColumns = columns
        return schema
    }

    /// `schema.printerColumns`: each `{name, type, jsonPath}` with optional `description`, `priority`
    /// and `format`, as a CRD's `additionalPrinterColumns`.
    private mutating func printerColumns(_ path: YAMLPath) -> [Value] {
        guard let items = reader.array(path, what: "schema.printerColumns") else { return [] }
        let types = ["string", "integer", "number", "boolean", "date"]
        var columns: [Value] = []
        for (i, item) in items.enumerated() {
            let at = path.appending(index: i)
            guard reader.object(at, known: ["name", "type", "jsonPath", "description", "priority", "format"], what: "printer column") != nil else { continue }
            let name = reader.string(at.appending(key: "name"), required: true, what: "printer column name")
            let type = reader.string(at.appending(key: "type"), required: true, what: "printer column type")
            let jsonPath = reader.string(at.appending(key: "jsonPath"), required: true, what: "printer column jsonPath")
            if let type, !types.contains(type) {
                reader.error("a printer column's type is one of \(types.joined(separator: ", ")), found \"\(type)\"", at: at.appending(key: "type"))
            }
            if let jsonPath, !jsonPath.hasPrefix(".") {
                reader.error("a printer column's jsonPath starts with \".\" (e.g. .spec.replicas)", at: at.appending(key: "jsonPath"))
            }
            if name != nil, type != nil, jsonPath != nil { columns.append(item) }
        }
        return columns
    }

    /// A map of field name to OpenAPI schema, each checked for a known `type`.
    private mutating func fieldSchemas(_ path: YAMLPath, typeNames: Set<String>) -> Value.Object {
        guard case .object(let o)? = reader.value(path) else {
            if let v = reader.value(path), !v.isNull { reader.error("expected a mapping of field name to schema, found \(v.typeName)", at: path) }
            return Value.Object()
        }
        for (name, schema) in o { checkFieldSchema(schema, path: path.appending(key: name), typeNames: typeNames) }
        return o
    }

    private mutating func checkFieldSchema(_ schema: Value, path: YAMLPath, typeNames: Set<String>) {
        guard case .object(let s) = schema else {
            reader.error("a field schema must be a mapping like {type: string}", at: path)
            return
        }
        let types = ["string", "integer", "number", "boolean", "array", "object"]
        if let t = s["type"] {
            if let name = t.stringValue, !types.contains(name), !typeNames.contains(name) {
                let all = types + typeNames.sorted()
                var message = "unknown type \"\(name)\" (\(types.joined(separator: ", "))\(typeNames.isEmpty ? "" : ", or a name under schema.types: " + typeNames.sorted().joined(separator: ", ")))"
                if let sug = Suggestion.closest(to: name, in: all) { message += "; did you mean \"\(sug)\"?" }
                reader.error(message, at: path.appending(key: "type"))
            }
        } else if s["x-kubernetes-preserve-unknown-fields"] == nil && s["x-kubernetes-int-or-string"] == nil {
            reader.error("a field schema needs a type", at: path, onKey: true)
        }
        if case .object(let props)? = s["properties"] {
            for (name, child) in props { checkFieldSchema(child, path: path.appending(key: "properties").appending(key: name), typeNames: typeNames) }
        }
        if let items = s["items"] { checkFieldSchema(items, path: path.appending(key: "items"), typeNames: typeNames) }
        if let required = s["required"] {
            let isFlag = required == true || required == false
            let isList = required.arrayValue?.allSatisfy { $0.stringValue != nil } == true
            if !isFlag && !isList {
                reader.error("required is true/false on a field, or a list of property names on an object", at: path.appending(key: "required"))
            }
        }
        if let pattern = s["pattern"]?.stringValue {
            do { _ = try Regex(pattern) } catch {
                reader.error("pattern does not compile: \(error)", at: path.appending(key: "pattern"))
            }
        }
        if s["type"] == "object", s["properties"] == nil, s["additionalProperties"] == nil, s["x-kubernetes-preserve-unknown-fields"] == nil {
            reader.warning("an object with neither properties nor additionalProperties keeps nothing: the API server prunes every field under it; add x-kubernetes-preserve-unknown-fields: true to keep them", at: path, onKey: true)
        }
    }

    /// English plural of a lowercase kind, as kubebuilder's pluralizer forms CRD names:
    /// irregular words (`person` → `people`), words already plural (`timegates`, `series`), `-y` after
    /// a consonant → `-ies`, `-s`/`-x`/`-z`/`-ch`/`-sh` → `-es` (`status` → `statuses`, `box` →
    /// `boxes`), `-fe`/`-lf` → `-ves`, else `-s`. `schema.plural` overrides it.
    static func plural(of word: String) -> String {
        for (singular, plural) in irregularPlurals where word.hasSuffix(singular) {
            return word.dropLast(singular.count) + plural
        }
        for (plural, _) in irregularPlurals.map({ ($0.1, $0.0) }) where word.hasSuffix(plural) { return word }
        if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") || word.hasSuffix("x") || word.hasSuffix("z")
            || word.hasSuffix("ch") || word.hasSuffix("sh") {
            if word.hasSuffix("is") && word.count > 4 { return word.dropLast(2) + "es" }  // analysis -> analyses
            return word + "es"
        }
        // Already plural: a final -s after anything but s, u or i (gates, settings, series).
        if word.hasSuffix("s") { return word }
        if word.hasSuffix("y"), let beforeLast = word.dropLast().last, !"aeiou".contains(beforeLast) { return word.dropLast() + "ies" }
        if word.hasSuffix("fe") { return word.dropLast(2) + "ves" }
        if word.hasSuffix("lf") { return word.dropLast() + "ves" }
        return word + "s"
    }

    /// Words whose plural no suffix rule forms (matched at the end of the kind: `dbperson`).
    static let irregularPlurals: [(String, String)] = [
        ("person", "people"), ("child", "children"), ("mouse", "mice"), ("index", "indices"),
        ("matrix", "matrices"), ("vertex", "vertices"), ("criterion", "criteria"), ("datum", "data"),
        ("quiz", "quizzes"), ("schema", "schemas"), ("data", "data"), ("metadata", "metadata"), ("info", "info"),
        ("equipment", "equipment"), ("chassis", "chassis"),
    ]
}
