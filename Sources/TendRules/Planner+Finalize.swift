import TendCEL
import TendValue

/// `finalize`: while a watched object is being deleted (and holds the rule's finalizer), the rule's
/// children are kept as they are and read as they are live; the finalize children are rendered and
/// applied like children; the object may go once every finalize child is ready and every `when`
/// holds. Until then the plan lists what it waits for in ``ReconcilePlan/finalizing`` and keeps the
/// finalizer; afterwards the usual deletion cleanup runs (Planner+Prune.swift).
extension Context {
    mutating func planFinalize(_ finalize: Rule.Finalize, into plan: inout ReconcilePlan) {
        resolveLookups(into: &plan)
        for child in rule.children { observe(child) }
        for child in finalize.children { planChild(child, into: &plan) }
        var readyMap = Value.Object()
        for child in rule.children + finalize.children { readyMap[child.id] = .bool(ready[child.id] ?? false) }
        readyMap["all"] = .bool(rule.children.allSatisfy { ready[$0.id] ?? false })
        variables["ready"] = .object(readyMap)
        for child in finalize.children where !(ready[child.id] ?? false) {
            plan.finalizing.append("finalize child \(child.id) to be ready")
        }
        for condition in finalize.when {
            let result = Result(catching: { () throws(CELError) -> Bool in try condition.evaluateCondition(variables) })
            trace?.finalize.append(.init(condition, result: result))
            switch result {
            case .success(true): break
            case .success(false): plan.finalizing.append(condition.source)
            case .failure(let error):
                // Reading a finalize child not there yet is waiting for it, not an error.
                let readsAbsent = condition.referencedVariables.contains { variables[$0] == .null }
                plan.finalizing.append(readsAbsent ? condition.source : "\(condition.source) (\(condition.diagnostic(for: error).message))")
            }
        }
        plan.finalizing += plan.problems.filter { $0.reason != "Waiting" }.map { "\($0.reason): \($0.message)" }
        planTimeRequeue(into: &plan)
    }

    /// Reads a child of the rule as it is (nothing rendered, nothing written): its live objects are
    /// its variable, and it is ready when it exists and its `readyWhen` hold for every instance.
    mutating func observe(_ child: Rule.Child) {
        let lives = existing(child).map(\.value)
        variables[child.id] = child.isCollection ? .array(lives) : (lives.first ?? .null)
        var isReady = !lives.isEmpty
        for live in lives where isReady {
            let scope = instanceScope(variables, child, live)
            for condition in child.readyWhen where isReady {
                isReady = (try? condition.evaluateCondition(scope)) ?? false
            }
        }
        ready[child.id] = isReady
    }
}
