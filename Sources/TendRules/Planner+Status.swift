import Foundation
import TendCEL
import TendMeta
import TendValue

extension Context {
    mutating func planStatus(into plan: inout ReconcilePlan) {
        var readyMap = Value.Object()
        for child in rule.children { readyMap[child.id] = .bool(ready[child.id] ?? false) }
        let allReady = rule.children.allSatisfy { ready[$0.id] ?? false } && plan.problems.isEmpty
        readyMap["all"] = .bool(allReady)
        plan.readiness = Dictionary(uniqueKeysWithValues: readyMap.map { ($0.key, $0.value.boolValue ?? false) })
        guard !rule.status.isEmpty || !plan.problems.isEmpty else { return }
        variables["ready"] = .object(readyMap)
        let liveStatus = parent["status"] ?? .emptyObject
        var status = Value.Object()

        // Phase: at most one transition per reconcile.
        if let machine = rule.status.phase {
            planPhase(machine, liveStatus: liveStatus, into: &status, plan: &plan)
        } else {
            variables["phase"] = .null
        }

        // Conditions.
        var conditions: [Value] = []
        let liveConditions = liveStatus["conditions"]?.arrayValue ?? []
        let generation = parent["metadata"]?["generation"]
        for spec in rule.status.conditions {
            let value = conditionStatus(spec, into: &plan)
            let reason = evaluateString(spec.reason, what: "condition \(spec.type) reason", into: &plan)
            let message = evaluateString(spec.message, what: "condition \(spec.type) message", into: &plan)
            conditions.append(StatusCondition.make(type: spec.type, status: value, reason: reason, message: message, live: liveConditions, generation: generation, now: now))
        }
        if !plan.problems.isEmpty {
            let ready = StatusCondition.notReady(plan.problems, live: liveConditions, generation: generation, now: now)
            conditions = StatusCondition.replacing(ready, in: conditions)
        }
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        if let generation { status["observedGeneration"] = generation }

        for (name, node) in rule.status.fields {
            switch node.evaluate(variables) {
            case .success(let v): status[name] = v
            case .failure(let d):
                // A field reading a child that does not exist yet, or a value not set yet, is left
                // out until it is there.
                if readsAbsentChild(node.referencedVariables) { continue }
                if d.isAbsentValue {
                    plan.leftOut.append("status.\(name): \(d.message)")
                    continue
                }
                plan.problems.append(.init(reason: "StatusError", message: "status field \(name): \(d)"))
            }
        }
        plan.status = .object(status)
        // A field Tend no longer writes (a pending transition that fired or stopped holding) is
        // dropped by the next status apply; its presence alone calls for one.
        plan.statusFieldsToRemove = Planner.removableStatusFields.filter { liveStatus[$0] != nil && status[$0] == nil }.sorted()
        plan.statusChanged = !plan.statusFieldsToRemove.isEmpty || !ObjectMatch.contains(liveStatus, .object(status))
    }

    /// Whether an expression reading `names` reads a child that does not exist (yet).
    func readsAbsentChild(_ names: Set<String>) -> Bool {
        rule.children.contains { child in
            guard names.contains(child.id) else { return false }
            switch variables[child.id] {
            case nil, .null?: return true
            case .array(let a)? where a.isEmpty: return true
            default: return false
            }
        }
    }

    private mutating func conditionStatus(_ spec: Rule.ConditionSpec, into plan: inout ReconcilePlan) -> String {
        switch spec.status.evaluate(variables) {
        case .success(.bool(let b)): return b ? "True" : "False"
        case .success(.string(let s)) where ["True", "False", "Unknown"].contains(s): return s
        case .success(let other):
            plan.problems.append(.init(reason: "StatusError", message: "condition \(spec.type): status must be a bool or True/False/Unknown, got \(JSON.serialize(other))"))
            return "Unknown"
        case .failure(let d):
            if d.isAbsentValue {
                plan.leftOut.append("condition \(spec.type) status (Unknown): \(d.message)")
            } else if !readsAbsentChild(spec.status.referencedVariables) {
                plan.problems.append(.init(reason: "StatusError", message: "condition \(spec.type): \(d)"))
            }
            return "Unknown"
        }
    }

    private mutating func evaluateString(_ node: TemplateNode?, what: String, into plan: inout ReconcilePlan) -> String? {
        guard let node else { return nil }
        switch node.evaluate(variables) {
        case .success(.string(let s)): return s
        case .success(.null): return nil
        case .success(let other): return JSON.serialize(other)
        case .failure(let d) where d.isAbsentValue || readsAbsentChild(node.referencedVariables):
            plan.leftOut.append("\(what): \(d.message)")
            return nil
        case .failure(let d):
            plan.problems.append(.init(reason: "StatusError", message: "\(d)"))
            return nil
        }
    }

    /// The parent's own fields the rule owns (`spec.patch` and the finalizer), and the kinds to add
    /// to the rule's inventory record.
    mutating func planParentPatch(into plan: inout ReconcilePlan) {
        var patch = Value.emptyObject
        if let template = rule.patch {
            switch template.evaluate(variables) {
            case .success(let v): patch = v
            case .failure(let d):
                plan.problems.append(.init(reason: "TemplateError", message: "patch: \(d)"))
            }
        }
        if !parentUID.isEmpty { plan.kindsToRecord = kindsToRecord(plan) }
        if plan.needsFinalizer {
            try? patch.set(FieldPath([.key("metadata"), .key("finalizers")]), to: [.string(rule.finalizer)])
        }
        // Fields Tend's former single manager applied are taken over by the rule's next write of the
        // object, which releases what the rule no longer sets (``LegacyOwnership``): a rule that
        // writes the object sends that write even when nothing of its own changed.
        let takeover = LegacyOwnership.isLegacyWritten(parent) && (!rule.allChildren.isEmpty || rule.patch != nil || rule.finalize != nil)
        guard patch != .emptyObject || takeover else { return }
        plan.parentFields = patch
        plan.parentPatch = ObjectMatch.contains(parent, patch) && !takeover ? nil : patch
    }

    /// The kinds the rule's ``InventoryRecord`` lacks: those of the children this plan keeps, and
    /// those the parent's legacy inventory annotation names (a write of the parent's fields drops the
    /// annotation, so its kinds go to the record first).
    func kindsToRecord(_ plan: ReconcilePlan) -> [String] {
        var kinds = Set(plan.children.filter { $0.action != .notOwned }.map { InventoryRecord.name(of: $0.kind) })
        kinds.formUnion(rule.inventoryKinds(of: parent))
        return kinds.subtracting(world.recordedKinds(ofRule: rule.name)).sorted()
    }
}
