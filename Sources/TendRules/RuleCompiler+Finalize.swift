import TendCEL
import TendYAML

extension RuleCompiler {
    /// `spec.finalize`: children created while a watched object is being deleted and the conditions
    /// that must hold before it may go. Their ids share the rule's namespace of ids (`scope` gets
    /// them; the caller passes a copy so `status` and `patch` do not see them).
    mutating func compileFinalize(_ scope: inout Scope) -> Rule.Finalize? {
        let path: YAMLPath = ["spec", "finalize"]
        guard reader.value(path) != nil else { return nil }
        guard reader.object(path, known: ["children", "when"], what: "finalize") != nil else { return nil }
        let children = compileChildren(&scope, at: path.appending(key: "children"))
        let env = scope.environment(adding: ["ready"])
        var when: [CELProgram] = []
        for (n, _) in conditionList(path.appending(key: "when"), what: "finalize.when").enumerated() {
            if let p = compileCondition(path.appending(key: "when").appending(index: n), environment: env, what: "finalize.when") { when.append(p) }
        }
        if reader.value(path.appending(key: "children")) == nil && reader.value(path.appending(key: "when")) == nil {
            reader.error("finalize needs children (to create while the object is being deleted) or when (conditions to wait for)", at: path, onKey: true)
        }
        return Rule.Finalize(children: children, when: when)
    }
}
