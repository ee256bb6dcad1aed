import TendCEL
import TendMeta
import TendValue
import TendYAML

extension RuleCompiler {
    mutating func compileLookups(_ scope: inout Scope) -> [Rule.Lookup] {
        let path: YAMLPath = ["spec", "lookups"]
        var out: [Rule.Lookup] = []
        for (i, _) in (reader.array(path, what: "lookups") ?? []).enumerated() {
            let at = path.appending(index: i)
            let known = ["id", "apiVersion", "kind", "namespace", "name", "selector", "includeWhen"]
            guard reader.object(at, known: known, what: "a lookup") != nil else { continue }
            let id = reader.string(at.appending(key: "id"), required: true, what: "lookup id") ?? ""
            guard !id.isEmpty, checkName(id, at: at.appending(key: "id"), what: "lookup id", taken: scope.ids) else { continue }
            scope.lookups.append(id)
            let apiVersion = reader.string(at.appending(key: "apiVersion"), required: true, what: "lookup apiVersion") ?? ""
            let kind = reader.string(at.appending(key: "kind"), required: true, what: "lookup kind") ?? ""
            let env = scope.selfEnvironment()
            let namespace = optionalTemplate(at.appending(key: "namespace"), environment: env, what: "lookup namespace")
            let name = optionalTemplate(at.appending(key: "name"), environment: env, what: "lookup name")
            let selector = compileSelector(at.appending(key: "selector"), what: "lookup selector")
            if name != nil && selector != nil {
                reader.error("a lookup reads one object by name or a list by selector, not both", at: at.appending(key: "selector"), onKey: true)
            } else if reader.value(at.appending(key: "name")) == nil && selector == nil {  // a name that failed to compile was reported
                reader.error("a lookup needs a name (one object) or a selector (a list)", at: at.appending(key: "id"), onKey: true)
            }
            var includeWhen: [CELProgram] = []
            for (n, _) in conditionList(at.appending(key: "includeWhen"), what: "includeWhen").enumerated() {
                if let p = compileCondition(at.appending(key: "includeWhen").appending(index: n), environment: env, what: "includeWhen") { includeWhen.append(p) }
            }
            guard let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind) else { continue }
            typeVariable(id, kind: gvk, isList: selector != nil, at: at.appending(key: "kind"), in: &scope)
            out.append(Rule.Lookup(id: id, kind: gvk, namespace: namespace, name: name, selector: selector, includeWhen: includeWhen, location: reader.location(at.appending(key: "id")).0))
        }
        return out
    }

    /// A string field that may be a template; nil when absent.
    mutating func optionalTemplate(_ path: YAMLPath, environment: CELEnvironment, what: String) -> CELTemplate? {
        guard let s = reader.string(path, what: what) else { return nil }
        let location = reader.info(path)?.contentLocation ?? reader.location(path).0
        do {
            return try CELTemplate(s, environment: environment, location: location)
        } catch {
            reader.add(error.diagnostics)
            return nil
        }
    }

    /// The children under `path` (`spec.children`, or `spec.finalize.children`), their ids added to
    /// `scope`, in apply order.
    mutating func compileChildren(_ scope: inout Scope, at path: YAMLPath = ["spec", "children"]) -> [Rule.Child] {
        let items = reader.array(path, what: "children") ?? []
        // First pass: ids, so children can reference each other regardless of order.
        var ids: [(index: Int, id: String)] = []
        for (i, item) in items.enumerated() {
            let at = path.appending(index: i)
            guard case .object = item, let id = reader.string(at.appending(key: "id"), required: true, what: "child id"), !id.isEmpty else {
                if case .object = item {} else { reader.error("a child must be a mapping, found \(item.typeName)", at: at) }
                continue
            }
            guard checkName(id, at: at.appending(key: "id"), what: "child id", taken: scope.ids) else { continue }
            scope.children.append(id)
            ids.append((i, id))
            if schemas != nil, let kind = templateKind(at) {
                let isList: Bool
                switch reader.value(at.appending(key: "forEach")) {
                case .object(let o)?: isList = !o.isEmpty
                case .array(let a)?: isList = !a.isEmpty
                default: isList = false
                }
                typeVariable(id, kind: kind, isList: isList, at: at.appending(key: "template").appending(key: "kind"), in: &scope)
            }
        }
        var children: [Rule.Child] = []
        for (i, id) in ids {
            if let child = compileChild(path.appending(index: i), id: id, scope: scope) { children.append(child) }
        }
        return orderChildren(children, path: path, indexOf: Dictionary(uniqueKeysWithValues: ids.map { ($0.id, $0.index) }))
    }

    private mutating func compileChild(_ at: YAMLPath, id: String, scope: Scope) -> Rule.Child? {
        let known = ["id", "template", "includeWhen", "forEach", "readyWhen", "onDelete", "adopt", "updatePolicy", "dependentsWait"]
        guard reader.object(at, known: known, what: "a child") != nil else { return nil }
        // Loop variables.
        var loopVars: [(name: String, values: CELProgram)] = []
        let loopPath = at.appending(key: "forEach")
        var loopEntries: [(String, YAMLPath)] = []
        switch reader.value(loopPath) {
        case .object(let o)?:
            for k in o.keys { loopEntries.append((k, loopPath.appending(key: k))) }
        case .array(let a)?:
            for (n, entry) in a.enumerated() {
                guard case .object(let o) = entry, o.count == 1, let k = o.keys.first else {
                    reader.error("each forEach entry maps one variable to a list expression", at: loopPath.appending(index: n))
                    continue
                }
                loopEntries.append((k, loopPath.appending(index: n).appending(key: k)))
            }
        case nil, .null?: break
        case let other?:
            reader.error("forEach must map variable names to list expressions, found \(other.typeName)", at: loopPath)
        }
        var taken = scope.ids
        var loopTypes: [String: CELStaticType] = [:]
        for (name, p) in loopEntries {
            guard checkName(name, at: p, what: "loop variable", taken: taken) else { continue }
            taken.insert(name)
            if let program = compileCondition(p, environment: scope.environment(), what: "forEach \(name)", mustBe: .list) {
                loopVars.append((name, program))
                if case .list(let element) = program.resultType { loopTypes[name] = element }
            }
        }
        let loopNames = loopVars.map(\.name)
        let templateEnv = scope.environment(adding: loopNames, types: loopTypes)

        let templatePath = at.appending(key: "template")
        var kind: GroupVersionKind?
        if reader.object(templatePath, known: [], required: true, what: "template").map({ _ in true }) == nil {
            // required error already reported
        }
        // `object(known: [])` reported every key as unknown; drop those diagnostics: templates are free-form.
        reader.dropUnknownFieldDiagnostics(under: templatePath)
        let template = compileTemplate(templatePath, environment: templateEnv)
        if reader.value(templatePath) != nil {
            let apiVersion = template.literal(at: ["apiVersion"])?.stringValue
            let kindName = template.literal(at: ["kind"])?.stringValue
            if reader.value(templatePath.appending(key: "apiVersion")) == nil {
                reader.error("the template needs apiVersion", at: templatePath, onKey: true)
            }
            if reader.value(templatePath.appending(key: "kind")) == nil {
                reader.error("the template needs kind", at: templatePath, onKey: true)
            }
            if reader.value(templatePath.appending(key: "metadata").appending(key: "name")) == nil {
                reader.error("the template needs metadata.name (server-side apply addresses objects by name)", at: templatePath, onKey: true)
            }
            if let apiVersion, let kindName {
                kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName)
                if kind == nil { reader.error("invalid apiVersion \"\(apiVersion)\"", at: templatePath.appending(key: "apiVersion")) }
                if let kind, let schema = schemas?.objectSchema(for: kind) {
                    checkTemplate(template, at: templatePath, schema: schema, kind: kind)
                }
            }
        }
        var includeWhen: [CELProgram] = []
        for (n, _) in (conditionList(at.appending(key: "includeWhen"), what: "includeWhen")).enumerated() {
            if let p = compileCondition(at.appending(key: "includeWhen").appending(index: n), environment: scope.environment(adding: loopNames, types: loopTypes), what: "includeWhen") {
                includeWhen.append(p)
            }
        }
        // `readyWhen` judges one instance: the child's id and `each` (kro's name) are that object.
        var readyScope = scope
        var readyTypes = loopTypes
        var readyNames = loopNames
        if let (checker, type) = scope.typed[id] {
            let instance: CELStaticType = if case .list(let e) = type { e } else { type }
            let instanceChecker = checker.elementChecker ?? checker
            readyScope.typed[id] = (instanceChecker, instance)
            if !scope.ids.contains("each") { readyScope.typed["each"] = (instanceChecker, instance) }
            readyTypes["each"] = instance
        }
        if !scope.ids.contains("each") { readyNames.append("each") }
        let readyEnv = readyScope.environment(adding: readyNames, types: readyTypes)
        var readyWhen: [CELProgram] = []
        for (n, _) in (conditionList(at.appending(key: "readyWhen"), what: "readyWhen")).enumerated() {
            if let p = compileCondition(at.appending(key: "readyWhen").appending(index: n), environment: readyEnv, what: "readyWhen") {
                readyWhen.append(p)
            }
        }
        var onDelete = Rule.Child.DeletePolicy.delete
        if let s = reader.string(at.appending(key: "onDelete"), what: "onDelete") {
            if let p = Rule.Child.DeletePolicy(rawValue: s) { onDelete = p } else {
                reader.error("onDelete must be delete or orphan, found \"\(s)\"", at: at.appending(key: "onDelete"))
            }
        }
        let adopt = reader.bool(at.appending(key: "adopt"), what: "adopt") ?? false
        var updatePolicy = Rule.Child.UpdatePolicy.apply
        if let s = reader.string(at.appending(key: "updatePolicy"), what: "updatePolicy") {
            if let p = Rule.Child.UpdatePolicy(rawValue: s) { updatePolicy = p } else {
                var message = "updatePolicy must be apply, createOnly, recreate or replace, found \"\(s)\""
                if let sug = Suggestion.closest(to: s, in: ["apply", "createOnly", "recreate", "replace"]) { message += "; did you mean \"\(sug)\"?" }
                reader.error(message, at: at.appending(key: "updatePolicy"))
            }
        }

        var refs = template.referencedVariables
        for p in includeWhen { refs.formUnion(p.referencedVariables) }
        for (_, p) in loopVars { refs.formUnion(p.referencedVariables) }
        let dependencies = scope.children.filter { refs.contains($0) }
        if dependencies.contains(id) {
            reader.error("child \"\(id)\" refers to itself in its template; only readyWhen may read the child's own state", at: at.appending(key: "id"))
        }
        var compiled = Rule.Child(
            id: id, template: template, includeWhen: includeWhen, forEach: loopVars, readyWhen: readyWhen,
            onDelete: onDelete, adopt: adopt, dependencies: dependencies.filter { $0 != id },
            lookupDependencies: scope.lookups.filter { refs.contains($0) },
            location: reader.location(at.appending(key: "id")).0, kind: kind)
        compiled.updatePolicy = updatePolicy
        compiled.dependentsWait = compileDependentsWait(at.appending(key: "dependentsWait"))
        return compiled
    }

    /// Indices of a list of conditions (a single string counts as a one-element list).
    mutating func conditionList(_ path: YAMLPath, what: String) -> [Value] {
        switch reader.value(path) {
        case nil, .null?: return []
        case .array(let a)?: return a
        case let other?:
            reader.error("\(what) must be a list of expressions, found \(other.typeName)", at: path)
            return []
        }
    }

    /// Sorts children so each comes after the children it references; reports cycles.
    private mutating func orderChildren(_ children: [Rule.Child], path: YAMLPath, indexOf: [String: Int]) -> [Rule.Child] {
        var byID: [String: Rule.Child] = [:]
        for c in children { byID[c.id] = c }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var order: [Rule.Child] = []
        var reported = Set<String>()
        func visit(_ id: String, _ stack: [String], _ compiler: inout RuleCompiler) {
            guard let child = byID[id] else { return }
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = Array(stack.drop { $0 != id }) + [id]
                if reported.insert(cycle.sorted().joined(separator: ",")).inserted, let index = indexOf[id] {
                    compiler.reader.error("dependency cycle between children: \(cycle.joined(separator: " -> "))", at: path.appending(index: index).appending(key: "id"))
                }
                return
            }
            state[id] = 1
            for dep in child.dependencies { visit(dep, stack + [id], &compiler) }
            state[id] = 2
            order.append(child)
        }
        for c in children { visit(c.id, [], &self) }
        return order
    }
}

extension DocumentReader {
    /// Removes "unknown field" diagnostics reported directly under `path` (used for free-form templates).
    mutating func dropUnknownFieldDiagnostics(under path: YAMLPath) {
        guard case .object(let o)? = value(path) else { return }
        let locations = Set(o.keys.compactMap { document.locations.keyLocation(of: path.appending(key: $0)) })
        removeDiagnostics { $0.message.hasPrefix("unknown field") && locations.contains($0.location) }
    }
}

extension RuleCompiler {
    /// `dependentsWait: exists | ready` (a child's, or the rule's under `spec`).
    mutating func compileDependentsWait(_ path: YAMLPath) -> Rule.Child.DependentsWait? {
        guard let s = reader.string(path, what: "dependentsWait") else { return nil }
        if let w = Rule.Child.DependentsWait(rawValue: s) { return w }
        reader.error("dependentsWait must be exists or ready, found \"\(s)\"", at: path)
        return nil
    }
}
