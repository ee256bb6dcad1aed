import TendCEL
import TendValue
import TendYAML

extension RuleCompiler {
    /// `spec.patch`: fields of the watched object the rule owns, applied to it with server-side apply.
    mutating func compilePatch(_ scope: Scope) -> TemplateNode? {
        let path: YAMLPath = ["spec", "patch"]
        guard let value = reader.value(path), !value.isNull else { return nil }
        guard case .object(let o) = value else {
            reader.error("patch must be a mapping of the watched object's fields (metadata, spec, ...)", at: path)
            return nil
        }
        for key in o.keys where !["metadata", "spec", "data", "stringData"].contains(key) {
            var message = "patch may set metadata, spec or data of the watched object, not \"\(key)\""
            if key == "status" { message += " (use status: to write status)" }
            if key == "apiVersion" || key == "kind" { message = "patch must not set \(key): it is the watched object's" }
            reader.error(message, at: path.appending(key: key), onKey: true)
        }
        if case .object(let meta)? = o["metadata"] {
            for key in meta.keys where !["labels", "annotations", "finalizers"].contains(key) {
                reader.error("patch may set metadata.labels, annotations or finalizers, not \"\(key)\"", at: path.appending(key: "metadata").appending(key: key), onKey: true)
            }
        }
        return compileTemplate(path, environment: scope.environment())
    }

    mutating func compileStatus(_ scope: Scope, childIDs: [String]) -> Rule.StatusSpec {
        let path: YAMLPath = ["spec", "status"]
        var spec = Rule.StatusSpec(phase: nil, conditions: [], fields: [])
        guard reader.object(path, known: ["phase", "conditions", "fields"], what: "status") != nil else { return spec }
        let env = scope.environment(adding: ["ready", "phase"])
        spec.phase = compilePhase(path.appending(key: "phase"), environment: env)

        var types = Set<String>()
        for (i, _) in (reader.array(path.appending(key: "conditions"), what: "status.conditions") ?? []).enumerated() {
            let at = path.appending(key: "conditions").appending(index: i)
            guard reader.object(at, known: ["type", "status", "reason", "message"], what: "a condition") != nil else { continue }
            let type = reader.string(at.appending(key: "type"), required: true, what: "condition type") ?? ""
            if !type.isEmpty && !types.insert(type).inserted {
                reader.error("duplicate condition type \"\(type)\"", at: at.appending(key: "type"))
            }
            if reader.value(at.appending(key: "status")) == nil {
                reader.error("a condition needs status (an expression giving true/false or \"True\"/\"False\"/\"Unknown\")", at: at, onKey: true)
            }
            let status = compileTemplate(at.appending(key: "status"), environment: env)
            if case .template(let t) = status, let program = t.wholeExpression {
                requireResult(program, [.bool, .string], "a condition's status must be a bool or \"True\", \"False\" or \"Unknown\"")
            }
            let reason = reader.value(at.appending(key: "reason")).map { _ in compileTemplate(at.appending(key: "reason"), environment: env) }
            let message = reader.value(at.appending(key: "message")).map { _ in compileTemplate(at.appending(key: "message"), environment: env) }
            spec.conditions.append(Rule.ConditionSpec(type: type, status: status, reason: reason, message: message, location: reader.location(at).0))
        }

        let fieldsPath = path.appending(key: "fields")
        switch reader.value(fieldsPath) {
        case .object(let o)?:
            for k in o.keys {
                if Planner.statusFieldsWrittenByTend.contains(k) {
                    reader.error("status field \"\(k)\" is written by Tend itself", at: fieldsPath.appending(key: k), onKey: true)
                    continue
                }
                spec.fields.append((k, compileTemplate(fieldsPath.appending(key: k), environment: env)))
            }
        case nil, .null?: break
        case let other?:
            reader.error("status.fields must be a mapping of field name to value, found \(other.typeName)", at: fieldsPath)
        }
        return spec
    }

    private mutating func compilePhase(_ path: YAMLPath, environment: CELEnvironment) -> Rule.PhaseMachine? {
        guard reader.object(path, known: ["path", "initial", "transitions"], what: "status.phase") != nil else { return nil }
        var fieldPath = FieldPath([.key("status"), .key("phase")])
        if let text = reader.string(path.appending(key: "path"), what: "status.phase.path") {
            do {
                fieldPath = try FieldPath(parsing: text)
                if fieldPath.components.first != .key("status") {
                    reader.error("the phase path must be under status (e.g. status.phase)", at: path.appending(key: "path"))
                }
            } catch {
                reader.add([Diagnostic(.error, at: expressionLocation(path.appending(key: "path"), offset: error.offset), error.message)])
            }
        }
        let initial = reader.string(path.appending(key: "initial"), required: true, what: "status.phase.initial") ?? ""
        var phases = initial.isEmpty ? [] : [initial]
        var transitions: [Rule.PhaseMachine.Transition] = []
        let items = reader.array(path.appending(key: "transitions"), what: "status.phase.transitions") ?? []
        // Targets first, so `from` may name a phase introduced by a later transition.
        for (i, _) in items.enumerated() {
            if let to = reader.value(path.appending(key: "transitions").appending(index: i).appending(key: "to"))?.stringValue, !phases.contains(to) {
                phases.append(to)
            }
        }
        for (i, _) in items.enumerated() {
            let at = path.appending(key: "transitions").appending(index: i)
            guard reader.object(at, known: ["from", "to", "when", "for", "reason", "message"], what: "a transition") != nil else { continue }
            let to = reader.string(at.appending(key: "to"), required: true, what: "transition target (to)") ?? ""
            var from: [String] = []
            switch reader.value(at.appending(key: "from")) {
            case .string(let s)?: from = [s]
            case .array?: from = reader.stringList(at.appending(key: "from"), what: "from") ?? []
            case nil, .null?: from = ["*"]
            case let other?: reader.error("from must be a phase or a list of phases, found \(other.typeName)", at: at.appending(key: "from"))
            }
            for (n, phase) in from.enumerated() where phase != "*" && !phases.contains(phase) {
                var message = "unknown phase \"\(phase)\": phases are the initial one and every transition's target (\(phases.joined(separator: ", ")))"
                if let s = Suggestion.closest(to: phase, in: phases) { message += "; did you mean \"\(s)\"?" }
                let fromPath = reader.value(at.appending(key: "from"))?.arrayValue == nil ? at.appending(key: "from") : at.appending(key: "from").appending(index: n)
                reader.error(message, at: fromPath)
            }
            if reader.value(at.appending(key: "when")) == nil {
                reader.error("a transition needs when (the guard expression)", at: at, onKey: true)
            }
            guard let when = compileCondition(at.appending(key: "when"), environment: environment, what: "when") else { continue }
            let reason = reader.string(at.appending(key: "reason"), what: "reason")
            let message = optionalTemplate(at.appending(key: "message"), environment: environment, what: "message")
            let holdFor = compileHoldDuration(at.appending(key: "for"))
            transitions.append(.init(from: from.contains("*") ? [] : from, to: to, when: when, reason: reason, message: message, holdFor: holdFor, location: reader.location(at).0))
        }
        guard !initial.isEmpty else { return nil }
        return Rule.PhaseMachine(path: fieldPath, initial: initial, transitions: transitions, phases: phases)
    }

    /// A transition's `for:`: a Go duration (`30s`, `5m`, `1h30m`), more than zero and at most 30 days.
    mutating func compileHoldDuration(_ path: YAMLPath, what: String = "for") -> Duration? {
        guard let value = reader.value(path), !value.isNull else { return nil }
        guard let text = value.stringValue ?? value.intValue.map({ "\($0)" }) else {
            reader.error("\(what) must be a duration such as 30s, 5m or 1h30m, found \(value.typeName)", at: path)
            return nil
        }
        guard let parsed = CELDuration(parsing: text) else {
            reader.error("invalid duration \"\(text)\": use a number with a unit (h, m, s, ms), e.g. 30s, 5m or 1h30m", at: path)
            return nil
        }
        let maximum: Int64 = 30 * 24 * 3600 * 1_000_000_000
        guard parsed.nanoseconds > 0, parsed.nanoseconds <= maximum else {
            reader.error("\(what) must be more than 0 and at most 720h (30 days), found \(text)", at: path)
            return nil
        }
        return .nanoseconds(parsed.nanoseconds)
    }
}
