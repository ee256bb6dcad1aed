import Foundation
import TendCEL
import TendMeta
import TendRegex
import TendValue
import TendYAML

extension RuleCompiler {
    mutating func compileWatch(schema: SchemaSpec?, environment: CELEnvironment) -> Rule.Watch? {
        let path: YAMLPath = ["spec", "watch"]
        let known = ["apiVersion", "kind", "namespaces", "namespaceSelector", "selector", "fieldSelector", "name", "when"]
        guard reader.object(path, known: known, required: true, what: "watch") != nil else { return nil }
        let apiVersion = reader.string(path.appending(key: "apiVersion"), required: true, what: "watch.apiVersion") ?? ""
        let kindName = reader.string(path.appending(key: "kind"), required: true, what: "watch.kind") ?? ""
        var kind: GroupVersionKind?
        if !apiVersion.isEmpty && !kindName.isEmpty {
            kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName)
            if kind == nil { reader.error("invalid apiVersion \"\(apiVersion)\" (expected group/version or version)", at: path.appending(key: "apiVersion")) }
        }
        if let schema, let kind, kind.group != schema.group || kind.version != schema.version || kind.kind != schema.kind {
            reader.warning("watch names \(kind.apiVersion) \(kind.kind) but schema defines \(schema.group)/\(schema.version) \(schema.kind)", at: path.appending(key: "kind"))
        }

        var namespaces = Rule.NamespaceSelection.all
        let hasGlobs = reader.value(path.appending(key: "namespaces")) != nil
        let hasSelector = reader.value(path.appending(key: "namespaceSelector")) != nil
        if hasGlobs && hasSelector {
            reader.error("set either namespaces or namespaceSelector, not both", at: path.appending(key: "namespaceSelector"), onKey: true)
        }
        if let globs = reader.stringList(path.appending(key: "namespaces"), what: "watch.namespaces") {
            for (i, g) in globs.enumerated() where g.isEmpty || !g.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "-*?".contains($0)) }) {
                reader.error("namespace pattern \"\(g)\" may only contain lowercase letters, digits, '-', '*' and '?'", at: path.appending(key: "namespaces").appending(index: i))
            }
            if !globs.isEmpty { namespaces = .globs(globs) }
        } else if hasSelector, let selector = compileSelector(path.appending(key: "namespaceSelector"), what: "watch.namespaceSelector") {
            namespaces = .selector(selector)
        }
        let labelSelector = compileSelector(path.appending(key: "selector"), what: "watch.selector")
        let fieldSelector = reader.string(path.appending(key: "fieldSelector"), what: "watch.fieldSelector")
        if let fieldSelector { checkFieldSelector(fieldSelector, at: path.appending(key: "fieldSelector")) }
        var nameRegex: Regex?
        if let pattern = reader.string(path.appending(key: "name"), what: "watch.name") {
            do {
                nameRegex = try Regex(pattern)
            } catch {
                let at = expressionLocation(path.appending(key: "name"), offset: error.offset)
                reader.add([Diagnostic(.error, at: at, "invalid regular expression: \(error.message)")])
            }
        }
        var when: CELProgram?
        if reader.value(path.appending(key: "when")) != nil {
            when = compileCondition(path.appending(key: "when"), environment: environment, what: "watch.when")
        }
        guard let kind else { return nil }
        return Rule.Watch(
            kind: kind, namespaces: namespaces, labelSelector: labelSelector, fieldSelector: fieldSelector,
            name: nameRegex, when: when)
    }

    /// A label selector (`matchLabels`, `matchExpressions`) converted to its string form
    /// (`a=b,tier in (web,api),!legacy`), which is what the API server takes. Also accepts a string.
    mutating func compileSelector(_ path: YAMLPath, what: String) -> String? {
        guard let value = reader.value(path), !value.isNull else { return nil }
        if case .string(let s) = value {
            do {
                _ = try LabelSelector(parsing: s)
            } catch {
                // Point at the offending character inside the selector string.
                reader.add([Diagnostic(.error, at: expressionLocation(path, offset: error.offset ?? 0), "\(what): \(error.message)")])
            }
            return s
        }
        guard reader.object(path, known: ["matchLabels", "matchExpressions"], what: what) != nil else { return nil }
        var terms: [String] = []
        if let labels = reader.value(path.appending(key: "matchLabels")), !labels.isNull {
            guard case .object(let o) = labels else {
                reader.error("\(what).matchLabels must be a mapping of label to value", at: path.appending(key: "matchLabels"))
                return nil
            }
            for (k, v) in o {
                let at = path.appending(key: "matchLabels").appending(key: k)
                guard case .string(let s) = v else {
                    reader.error("label values must be strings (quote \(JSON.serialize(v)))", at: at)
                    continue
                }
                if let problem = SelectorSyntax.labelKeyProblem(k) { reader.error(problem, at: at, onKey: true) }
                if let problem = SelectorSyntax.labelValueProblem(s) { reader.error(problem, at: at) }
                terms.append("\(k)=\(s)")
            }
        }
        for (i, expr) in (reader.array(path.appending(key: "matchExpressions"), what: "\(what).matchExpressions") ?? []).enumerated() {
            let at = path.appending(key: "matchExpressions").appending(index: i)
            guard reader.object(at, known: ["key", "operator", "values"], what: "a match expression") != nil else { continue }
            let key = reader.string(at.appending(key: "key"), required: true, what: "key") ?? ""
            let op = reader.string(at.appending(key: "operator"), required: true, what: "operator") ?? ""
            let values = reader.stringList(at.appending(key: "values"), what: "values") ?? []
            if let problem = SelectorSyntax.labelKeyProblem(key), !key.isEmpty { reader.error(problem, at: at.appending(key: "key")) }
            for (j, value) in values.enumerated() {
                if let problem = SelectorSyntax.labelValueProblem(value) { reader.error(problem, at: at.appending(key: "values").appending(index: j)) }
            }
            switch op {
            case "In", "NotIn":
                if values.isEmpty { reader.error("operator \(op) needs at least one value", at: at.appending(key: "operator")) }
                terms.append("\(key) \(op == "In" ? "in" : "notin") (\(values.joined(separator: ",")))")
            case "Exists", "DoesNotExist":
                if !values.isEmpty { reader.error("operator \(op) takes no values", at: at.appending(key: "values"), onKey: true) }
                terms.append(op == "Exists" ? key : "!\(key)")
            case "":
                break
            default:
                var message = "unknown operator \"\(op)\" (In, NotIn, Exists, DoesNotExist)"
                if let s = Suggestion.closest(to: op, in: ["In", "NotIn", "Exists", "DoesNotExist"]) { message += "; did you mean \"\(s)\"?" }
                reader.error(message, at: at.appending(key: "operator"))
            }
        }
        return terms.joined(separator: ",")
    }

    mutating func checkFieldSelector(_ s: String, at path: YAMLPath) {
        for term in s.split(separator: ",", omittingEmptySubsequences: false) {
            let t = term.trimmingCharacters(in: " ")
            let ok = t.contains("!=") || t.contains("==") || t.contains("=")
            if t.isEmpty || !ok {
                reader.error("invalid field selector term \"\(t)\": expected field=value, field==value or field!=value", at: path)
                return
            }
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Label key and value checks, as the API server validates them: TendKube's, with its messages.
enum SelectorSyntax {
    static func labelKeyProblem(_ key: String) -> String? {
        do {
            try LabelSelectorError.validate(key: key)
            return nil
        } catch {
            return error.message
        }
    }

    static func labelValueProblem(_ value: String) -> String? {
        do {
            try LabelSelectorError.validate(value: value)
            return nil
        } catch {
            return error.message
        }
    }
}
