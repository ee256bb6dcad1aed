import TendCEL
import TendMeta
import TendValue
import TendYAML

/// Checking a child template against its kind's schema from the cluster (`tend check --cluster`).
///
/// Every literal key must be a field of the schema where it stands (followed through `properties`,
/// `additionalProperties` and `items`; `metadata` is ObjectMeta); a literal value must have the
/// field's type; a `${...}` value whose inferred type is known must fit it. Checking stops, accepting
/// anything below, where ``SchemaFieldChecker/checkedType(_:)`` does (preserve-unknown-fields,
/// int-or-string and Quantity, no `type`) and below a key that is itself an expression. Null fits
/// every field (it leaves the field unset). Only what the server would reject is reported.
extension RuleCompiler {
    /// Checks the template compiled as `node` from the document at `path` against `schema`, the
    /// schema of `kind`.
    mutating func checkTemplate(_ node: TemplateNode, at path: YAMLPath, schema: Value, kind: GroupVersionKind) {
        var checker = TemplateSchemaWalk(kind: kind)
        checker.walk(node, at: path, field: "", schema: schema)
        for problem in checker.problems {
            switch problem {
            case .atKey(let message, let path): reader.error(message, at: path, onKey: true)
            case .atValue(let message, let path): reader.error(message, at: path)
            case .diagnostic(let d): reader.add([d])
            }
        }
    }
}

/// The walk over one template; collects problems for ``RuleCompiler/checkTemplate(_:at:schema:kind:)``.
struct TemplateSchemaWalk {
    enum Problem {
        case atKey(String, YAMLPath)
        case atValue(String, YAMLPath)
        case diagnostic(Diagnostic)
    }

    let kind: GroupVersionKind
    var problems: [Problem] = []

    init(kind: GroupVersionKind) { self.kind = kind }

    mutating func walk(_ node: TemplateNode, at path: YAMLPath, field: String, schema: Value) {
        guard let s = schema.objectValue, let type = SchemaFieldChecker.checkedType(s) else { return }
        switch node {
        case .literal(let value):
            walk(value, at: path, field: field, schema: s, type: type)
        case .template(let template):
            let program = template.wholeExpression
            let result = program?.resultType ?? .string
            guard !Self.fits(result, type) else { return }
            let message = "\(kind) field \(field) must be \(SchemaFieldChecker.article(type)), but this \(program == nil ? "template" : "expression") is \(RuleCompiler.described(result))"
            problems.append(program.map { .diagnostic($0.resultDiagnostic(message)) } ?? .atValue(message, path))
        case .object(let entries):
            guard type == "object" else { return mismatch(at: path, field: field, type: type, found: "object") }
            for (key, value) in entries {
                guard case .literal(let name) = key else { continue }
                guard let child = fieldSchema(name, of: s, at: path.appending(key: name), field: field) else { continue }
                walk(value, at: path.appending(key: name), field: Self.join(field, name), schema: child)
            }
        case .array(let items):
            guard type == "array" else { return mismatch(at: path, field: field, type: type, found: "array") }
            guard let itemSchema = s["items"] else { return }
            for (i, item) in items.enumerated() { walk(item, at: path.appending(index: i), field: "\(field)[\(i)]", schema: itemSchema) }
        }
    }

    /// A literal subtree.
    mutating func walk(_ value: Value, at path: YAMLPath, field: String, schema s: Value.Object, type: String) {
        switch value {
        case .object(let o):
            guard type == "object" else { return mismatch(at: path, field: field, type: type, found: "object") }
            for (name, v) in o {
                guard let child = fieldSchema(name, of: s, at: path.appending(key: name), field: field),
                      let cs = child.objectValue, let ct = SchemaFieldChecker.checkedType(cs) else { continue }
                walk(v, at: path.appending(key: name), field: Self.join(field, name), schema: cs, type: ct)
            }
        case .array(let items):
            guard type == "array" else { return mismatch(at: path, field: field, type: type, found: "array") }
            guard let itemSchema = s["items"]?.objectValue, let it = SchemaFieldChecker.checkedType(itemSchema) else { return }
            for (i, item) in items.enumerated() { walk(item, at: path.appending(index: i), field: "\(field)[\(i)]", schema: itemSchema, type: it) }
        case .string(let text) where CELTemplate.containsExpression(text):
            return  // an expression that failed to compile, reported already
        default:
            if !Self.fits(value, type) { mismatch(at: path, field: field, type: type, found: value.typeName) }
        }
    }

    /// The schema of field `name` of object schema `s`; nil (after reporting an unknown field when
    /// the object's fields are closed) when there is nothing to check below it.
    mutating func fieldSchema(_ name: String, of s: Value.Object, at path: YAMLPath, field: String) -> Value? {
        if let child = s["properties"]?[name] { return child }
        if let values = s["additionalProperties"], values.objectValue != nil { return values }
        guard let declared = s["properties"]?.objectValue, s["additionalProperties"]?.boolValue != true else { return nil }
        var message = "\(kind) has no field \(Self.join(field, name))"
        if let suggestion = Suggestion.closest(to: name, in: declared.keys) { message += "; did you mean \"\(suggestion)\"?" }
        problems.append(.atKey(message, path))
        return nil
    }

    mutating func mismatch(at path: YAMLPath, field: String, type: String, found: String) {
        let what = field.isEmpty ? "\(kind) must be" : "\(kind) field \(field) must be"
        problems.append(.atValue("\(what) \(SchemaFieldChecker.article(type)), found \(found == "null" ? "null" : SchemaFieldChecker.article(found))", path))
    }

    static func join(_ field: String, _ name: String) -> String { field.isEmpty ? name : "\(field).\(name)" }

    /// Whether a literal the server decodes fits a field of OpenAPI `type`.
    static func fits(_ value: Value, _ type: String) -> Bool {
        switch (type, value) {
        case (_, .null): true
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array): true
        case ("integer", .int), ("number", .int), ("number", .double): true
        case ("integer", .double(let d)): d.rounded() == d
        case ("string", _), ("boolean", _), ("object", _), ("array", _), ("integer", _), ("number", _): false
        default: true
        }
    }

    /// Whether every value of static type `t` could fit a field of OpenAPI `type` (true for `dyn`).
    /// Timestamps, durations and bytes are written as strings; numbers of any CEL type fit numbers.
    static func fits(_ t: CELStaticType, _ type: String) -> Bool {
        guard let kind = t.kind, kind != .null else { return true }
        switch type {
        case "string": return [.string, .bytes, .timestamp, .duration].contains(kind)
        case "integer", "number": return [.int, .uint, .double].contains(kind)
        case "boolean": return kind == .bool
        case "object": return kind == .map
        case "array": return kind == .list
        default: return true
        }
    }
}
