import Foundation
import TendMeta
public import TendValue

extension ExplainRenderer {
    /// The stable, machine-readable form of an explanation (`tend explain -o json`); its shape is
    /// documented in docs/planning.md. Keys are only added, never renamed, within a major version.
    public static func json(_ e: ObjectExplanation) -> Value {
        var out: Value = [
            "object": reference(e.object),
            "selected": .bool(e.isSelected),
            "rules": .array(e.rules.map(rule)),
        ]
        if let live = e.live {
            out["live"] = ["ready": live.ready ?? .null, "events": .array(live.events)]
        }
        return out
    }

    private static func reference(_ r: ObjectReference) -> Value {
        ["apiVersion": .string(r.kind.apiVersion), "kind": .string(r.kind.kind), "namespace": .string(r.key.namespace), "name": .string(r.key.name)]
    }

    private static func rule(_ r: ObjectExplanation.RuleExplanation) -> Value {
        var out: Value = [
            "rule": .string(r.rule),
            "selected": .bool(r.selected),
            "selection": .array(r.checks.map { ["criterion": .string($0.criterion.rawValue), "passed": .bool($0.passed), "detail": .string($0.detail)] }),
        ]
        guard let plan = r.plan else { return out }
        out["suspended"] = .bool(plan.suspended)
        if let trace = plan.trace {
            out["children"] = .array(trace.children.map { child($0, plan) })
            if !trace.excludedLookups.isEmpty { out["excludedLookups"] = .array(trace.excludedLookups.map(Value.string)) }
            if let phase = trace.phase {
                out["phase"] = [
                    "current": .string(phase.current), "live": phase.live.map(Value.string) ?? .null,
                    "transitions": .array(phase.transitions.map(transition)),
                ]
            }
        }
        out["conditions"] = plan.status?["conditions"] ?? .array([])
        if !plan.leftOut.isEmpty { out["leftOut"] = .array(plan.leftOut.map(Value.string)) }
        out["plan"] = PlanRenderer.json(plan)
        return out
    }

    private static func evaluation(_ e: PlanTrace.Evaluation) -> Value {
        ["expression": .string(e.expression), "value": e.value.map(Value.bool) ?? .null, "error": e.error.map(Value.string) ?? .null]
    }

    private static func child(_ c: PlanTrace.Child, _ plan: ReconcilePlan) -> Value {
        var out: Value = ["child": .string(c.id), "loop": .object(Value.Object(c.loop.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))]
        switch c.outcome {
        case .planned: out["outcome"] = "planned"
        case .excluded: out["outcome"] = "excluded"
        case .excludedWith(let dep):
            out["outcome"] = "excluded"
            out["excludedWith"] = .string(dep)
        case .waiting(let dep):
            out["outcome"] = "waiting"
            out["waitingOn"] = .string(dep)
        case .failed(let message):
            out["outcome"] = "error"
            out["error"] = .string(message)
        }
        if let i = c.plannedIndex, plan.children.indices.contains(i) {
            let p = plan.children[i]
            out["action"] = .string(p.replacement == nil ? PlanRenderer.actionName(p.action) : "replace")
            out["object"] = reference(p.reference)
            out["exists"] = .bool(p.live != nil)
        }
        out["includeWhen"] = .array(c.includeWhen.map(evaluation))
        out["readyWhen"] = .array(c.readyWhen.map(evaluation))
        out["ready"] = .bool(c.ready)
        return out
    }

    private static func transition(_ t: PlanTrace.Transition) -> Value {
        var out: Value = [
            "from": .array(t.from.map(Value.string)), "to": .string(t.to), "guard": evaluation(t.guardEvaluation),
            "forSeconds": t.holdFor.map { .int(Int64($0.components.seconds)) } ?? .null,
        ]
        switch t.verdict {
        case .fires: out["verdict"] = "fires"
        case .doesNotHold: out["verdict"] = "doesNotHold"
        case .shadowed: out["verdict"] = "shadowed"
        case .pending(let since, let due):
            out["verdict"] = "pending"
            out["pendingSince"] = .string(RFC3339.format(since))
            out["dueInSeconds"] = .int(Int64(due.components.seconds))
        }
        return out
    }
}
