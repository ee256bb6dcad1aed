import Foundation
import TendMeta
public import TendValue

/// Prints an ``ObjectExplanation`` the way `tend explain` shows it: per rule, each selection
/// criterion with its verdict and detail; for a selecting rule, each child's decision and
/// readiness, the phase machine's transitions, the conditions it writes and the plan itself
/// (``PlanRenderer``'s output: diffs, with Secret values redacted).
///
/// Verdicts are `✓`/`✗` in colour on a terminal and `ok`/`no` otherwise, so plain output is
/// stable for logs and goldens.
public struct ExplainRenderer {
    public var color: Bool
    public init(color: Bool) { self.color = color }

    public func render(_ e: ObjectExplanation) -> String {
        var out = "\(bold)\(e.object)\(reset)\n"
        for r in e.rules {
            out += "\n"
            guard r.watchesKind else {
                out += "\(bold)rule \(r.rule)\(reset): \(mark(false)) kind: \(r.checks.first?.detail ?? "")\n"
                continue
            }
            out += "\(bold)rule \(r.rule)\(reset): \(r.selected ? "selects this object" : "does not select this object")\n"
            for check in r.checks { out += "  \(mark(check.passed)) \(check.criterion.rawValue): \(check.detail)\n" }
            if let plan = r.plan { out += renderPlan(plan) }
        }
        if let live = e.live { out += "\n" + renderLive(live) }
        let count = e.rules.filter(\.selected).count
        let total = "\(e.rules.count) \(e.rules.count == 1 ? "rule" : "rules")"
        out += count == 0 ? "\nNo rule selects this object (\(total) loaded).\n" : "\nSelected by \(count) of \(total).\n"
        return out
    }

    func renderPlan(_ plan: ReconcilePlan) -> String {
        var out = ""
        if let trace = plan.trace, !trace.excludedLookups.isEmpty {
            out += "  lookups left out by includeWhen: \(trace.excludedLookups.joined(separator: ", "))\n"
        }
        if let trace = plan.trace, !trace.children.isEmpty || !plan.prune.isEmpty {
            out += "  children:\n"
            for c in trace.children { out += renderChild(c, plan) }
            for p in plan.prune {
                out += "    \(p.id ?? "?"): \(p.policy == .delete ? "- delete" : "~ release") \(p.reference): managed and no longer desired\n"
            }
        }
        if let evaluations = plan.trace?.finalize, !evaluations.isEmpty {
            out += "  being deleted; finalize:\n"
            for e in evaluations { out += "    \(mark(e.value == true)) when \(Self.evaluation(e))\n" }
        }
        if let phase = plan.trace?.phase {
            out += "  phase: \(phase.current)\(phase.live == nil ? " (initial; not written yet)" : "")\n"
            if phase.transitions.isEmpty { out += "    no transition leaves \(phase.current)\n" }
            for t in phase.transitions { out += "    " + renderTransition(t) + "\n" }
        }
        if let conditions = plan.status?["conditions"]?.arrayValue, !conditions.isEmpty {
            out += "  conditions written:\n"
            for c in conditions { out += "    \(Self.conditionLine(c))\n" }
        }
        if !plan.leftOut.isEmpty {
            out += "  left out (reads a value not there yet):\n"
            for l in plan.leftOut { out += "    \(l)\n" }
        }
        let body = PlanRenderer(color: color).render(plan).split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        let shown = body.filter { !$0.isEmpty }
        out += shown.isEmpty ? "  plan: nothing to change\n" : "  plan:\n" + shown.map { "  " + $0 }.joined(separator: "\n") + "\n"
        return out
    }

    private func renderChild(_ c: PlanTrace.Child, _ plan: ReconcilePlan) -> String {
        var name = c.id
        if !c.loop.isEmpty { name += "[" + c.loop.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? JSON.serialize($0.value))" }.joined(separator: ", ") + "]" }
        var out = "    \(name): "
        switch c.outcome {
        case .excludedWith(let dep):
            let what = plan.trace?.excludedLookups.contains(dep) == true ? "lookup \(dep)" : dep
            return out + "left out: it reads \(what), which is left out\n"
        case .waiting(let dep):
            return out + "= waiting: it reads \(dep), which \(plan.waitingForReady.contains(c.id) ? "is not ready yet (dependentsWait: ready)" : "does not exist yet")\n"
        case .failed(let message):
            return out + "\(red)! error\(reset): \(message) (existing objects are kept)\n"
        case .excluded:
            out += "left out by includeWhen\n"
        case .planned:
            guard let i = c.plannedIndex, plan.children.indices.contains(i) else { return out + "planned\n" }
            let p = plan.children[i]
            switch p.action {
            case .create: out += "\(green)+ create\(reset) \(p.reference)\n"
            case .update where p.replacement != nil:
                out += "\(red)-\(reset)/\(green)+ replace\(reset) \(p.reference) (\(p.replacement!); diff below)\n"
            case .update:
                out += "\(yellow)~ update\(reset) \(p.reference) (diff below)\n"
                if let drift = p.drift { out += "      drifted: \(drift.summary); the template did not change, someone else changed the object\n" }
            case .unchanged: out += "= unchanged \(p.reference)\n"
            case .notOwned: out += "\(red)! refused\(reset) \(p.reference): exists, not managed by this rule (adoption refused; set adopt: true)\n"
            case .waiting(let dep): out += "= waiting \(p.reference): reads \(dep)\n"
            }
        }
        for e in c.includeWhen { out += "      \(mark(e.value == true)) includeWhen \(Self.evaluation(e))\n" }
        guard c.outcome == .planned, let i = c.plannedIndex, plan.children.indices.contains(i) else { return out }
        let p = plan.children[i]
        for e in c.readyWhen { out += "      \(mark(e.value == true)) readyWhen \(Self.evaluation(e))\n" }
        if c.ready {
            out += "      ready\n"
        } else if p.live == nil {
            out += "      not ready: does not exist yet\n"
        } else if p.action == .notOwned {
            out += "      not ready: not managed by this rule\n"
        } else {
            out += "      not ready\n"
        }
        return out
    }

    private func renderTransition(_ t: PlanTrace.Transition) -> String {
        var line = "-> \(t.to) (from \(t.from.isEmpty ? "*" : t.from.joined(separator: ", "))\(t.holdFor.map { ", for \(PlanRenderer.humanDuration($0))" } ?? "")): "
        let e = Self.evaluation(t.guardEvaluation)
        switch t.verdict {
        case .fires: line = "\(mark(true)) " + line + "\(e): fires now"
        case .pending(let since, let due): line = "\(mark(true)) " + line + "\(e): pending since \(RFC3339.format(since)), due in \(PlanRenderer.humanDuration(due))"
        case .doesNotHold: line = "\(mark(false)) " + line + e
        case .shadowed: line = "- " + line + "\(e): not considered, an earlier transition decides"
        }
        return line
    }

    private func renderLive(_ live: ObjectExplanation.LiveFacts) -> String {
        var out = "live:\n"
        out += "  Ready condition: \(live.ready.map(Self.conditionLine) ?? "none")\n"
        if live.events.isEmpty { return out + "  events: none\n" }
        out += "  events (newest first):\n"
        for e in live.events {
            let time = Self.eventTime(e) ?? "?"
            let count = e["count"]?.intValue.map { $0 > 1 ? " (x\($0))" : "" } ?? ""
            out += "    \(time) \(e["type"]?.stringValue ?? "") \(e["reason"]?.stringValue ?? ""): \(e["message"]?.stringValue ?? "")\(count)\n"
        }
        return out
    }

    /// When an Event last happened: `lastTimestamp`, else `eventTime`, else its creation time.
    public static func eventTime(_ e: Value) -> String? {
        for path in [["lastTimestamp"], ["eventTime"], ["metadata", "creationTimestamp"]] {
            var v: Value? = e
            for k in path { v = v?[k] }
            if let s = v?.stringValue, !s.isEmpty { return s }
        }
        return nil
    }

    /// `Ready=False (Waiting): child routes waits for service to exist`.
    static func conditionLine(_ c: Value) -> String {
        var s = "\(c["type"]?.stringValue ?? "?")=\(c["status"]?.stringValue ?? "?")"
        if let reason = c["reason"]?.stringValue, !reason.isEmpty { s += " (\(reason))" }
        if let message = c["message"]?.stringValue, !message.isEmpty { s += ": \(message)" }
        if let since = c["lastTransitionTime"]?.stringValue { s += ", since \(since)" }
        return s
    }

    /// `${self.spec.expose} is false`, or `${...} failed: no such key: status`.
    static func evaluation(_ e: PlanTrace.Evaluation) -> String {
        if let value = e.value { return "\(e.expression) is \(value)" }
        return "\(e.expression) failed: \(e.error ?? "unknown error")"
    }

    private func mark(_ passed: Bool) -> String {
        color ? (passed ? "\u{1B}[32m✓\u{1B}[0m" : "\u{1B}[31m✗\u{1B}[0m") : (passed ? "ok" : "no")
    }
    private var bold: String { color ? "\u{1B}[1m" : "" }
    private var reset: String { color ? "\u{1B}[0m" : "" }
    private var green: String { color ? "\u{1B}[32m" : "" }
    private var yellow: String { color ? "\u{1B}[33m" : "" }
    private var red: String { color ? "\u{1B}[31m" : "" }
}
