import TendMeta
import TendYAML
public import TendValue

/// Prints plans the way `tend plan` shows them: per rule and object, `+ create`, `~ update`,
/// `- delete`, status and phase changes, and unified diffs of the fields the rule owns.
public struct PlanRenderer {
    public var color: Bool
    public init(color: Bool) { self.color = color }

    /// Counts of planned actions over a set of plans.
    public struct Summary: Sendable, Equatable {
        public var create = 0, update = 0, delete = 0, status = 0, problems = 0
        /// Updates carried out as a delete and a create (`-/+ replace`).
        public var replace = 0
        /// Objects left alone because they carry `tend.dev/reconcile: suspended`.
        public var suspended = 0
        public var hasChanges: Bool { create + update + replace + delete + status > 0 }
        public var line: String {
            "\(create) to create, \(update) to update, " + (replace > 0 ? "\(replace) to replace, " : "") + "\(delete) to delete, \(status) status \(status == 1 ? "change" : "changes")"
        }
    }

    public static func summarize(_ plans: [ReconcilePlan]) -> Summary {
        var s = Summary()
        for p in plans {
            if p.suspended { s.suspended += 1 }
            for c in p.children {
                if c.action == .create { s.create += 1 }
                if c.action == .update { if c.replacement == nil { s.update += 1 } else { s.replace += 1 } }
            }
            s.delete += p.prune.count
            if p.parentPatch != nil { s.update += 1 }
            if p.statusChanged { s.status += 1 }
            s.problems += p.problems.filter { $0.reason != "Waiting" }.count
        }
        return s
    }

    public func render(_ plan: ReconcilePlan) -> String {
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        let green = color ? "\u{1B}[32m" : "", yellow = color ? "\u{1B}[33m" : "", red = color ? "\u{1B}[31m" : ""
        var out = "\(bold)rule \(plan.rule): \(plan.parent)\(reset)\n"
        if let origin = plan.followsFrom { out += "  (\(origin.description))\n" }
        if plan.suspended { out += "  \(yellow)= suspended\(reset): \(Self.suspendedNote)\n" }
        for c in plan.children {
            switch c.action {
            case .create:
                out += "  \(green)+ create\(reset) \(c.reference)\n"
                out += indent(UnifiedDiff.render(old: nil, new: Self.shown(c.desired), oldLabel: "/dev/null", newLabel: "\(c.reference)", color: color))
            case .update:
                if let why = c.replacement {
                    out += "  \(red)-\(reset)/\(green)+ replace\(reset) \(c.reference) (\(why))\n"
                } else {
                    out += "  \(yellow)~ update\(reset) \(c.reference)\n"
                }
                let live = c.live.map { Self.projection(of: $0, onto: c.desired) }
                out += indent(UnifiedDiff.render(old: live.map { Self.shown($0) }, new: Self.shown(c.desired, comparedTo: live), oldLabel: "live", newLabel: "planned", color: color))
                if let drift = c.drift { out += "    drifted: \(drift.summary)\n" }
            case .notOwned:
                out += "  \(red)! refused\(reset) \(c.reference): exists and is not managed by this rule (set adopt: true to take it over)\n"
            case .waiting(let dep):
                out += "  = waiting \(c.reference): reads \(dep), which \(plan.waitingForReady.contains(c.id) ? "is not ready yet" : "does not exist yet")\n"
            case .unchanged:
                break
            }
        }
        for p in plan.prune {
            out += p.policy == .delete ? "  \(red)- delete\(reset) \(p.reference)\n" : "  \(yellow)~ release\(reset) \(p.reference) (onDelete: orphan)\n"
        }
        if let patch = plan.parentPatch {
            out += "  \(yellow)~ patch\(reset) \(plan.parent)\n" + indent(YAML.serialize(patch).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n")
        }
        if let change = plan.phaseChange {
            var line = "  phase: \(change.from ?? "<none>") -> \(change.to)"
            if let reason = change.reason { line += " (\(reason))" }
            if let message = change.message, !message.isEmpty { line += ": \(message)" }
            out += line + "\n"
        }
        if let pending = plan.status?["pendingTransition"], let to = pending["to"]?.stringValue, let due = plan.requeueAfter {
            out += "  phase: \(to) pending since \(pending["since"]?.stringValue ?? "?"), due in \(Self.humanDuration(due))\n"
        }
        if plan.statusChanged, let status = plan.status {
            out += "  ~ status\n" + indent(YAML.serialize(status).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n")
        }
        for problem in plan.problems where problem.reason != "Waiting" {
            out += "  \(red)! \(problem.reason)\(reset): \(problem.message)\n"
        }
        for waiting in plan.finalizing { out += "  = finalizing: the deletion waits for \(waiting)\n" }
        if plan.removeFinalizer { out += "  ~ remove finalizer \(Rule.finalizer(ofRule: plan.rule))\n" }
        return out
    }

    /// What `tend plan` and `tend explain` say about a suspended object.
    public static let suspendedNote = "\(Planner.reconcileAnnotation): \(Planner.suspendedValue); the rule leaves this object alone (no child, prune, patch or status writes)"

    /// The live object restricted to the fields the desired object sets: fields the rule does not
    /// own are never shown as changes.
    public static func projection(of live: Value, onto desired: Value) -> Value {
        switch (live, desired) {
        case (.object(let l), .object(let d)):
            var out = Value.Object()
            for (k, dv) in d { if let lv = l[k] { out[k] = projection(of: lv, onto: dv) } }
            return .object(out)
        case (.array(let l), .array(let d)) where l.count == d.count:
            return .array(zip(l, d).map { projection(of: $0, onto: $1) })
        default:
            return live
        }
    }

    /// Hides Tend's bookkeeping annotation from displayed objects, and the values of a Secret's
    /// `data` and `stringData` (plans end up in CI logs): a value that differs from `live` is shown
    /// as changed, without either value.
    static func shown(_ v: Value, comparedTo live: Value? = nil) -> Value {
        var v = v
        v.remove(FieldPath([.key("metadata"), .key("annotations"), .key(ObjectMatch.appliedHashAnnotation)]))
        guard v["apiVersion"] == "v1", v["kind"] == "Secret" else { return v }
        for field in ["data", "stringData"] {
            guard case .object(let entries)? = v[field] else { continue }
            var redacted = Value.Object()
            for (key, value) in entries {
                let changed = live != nil && live?[field]?[key] != value
                redacted[key] = value.isNull ? .null : .string(changed ? sensitiveChanged : sensitive)
            }
            v[field] = .object(redacted)
        }
        return v
    }

    /// What `tend plan` shows instead of a Secret's value.
    public static let sensitive = "(sensitive value)"
    /// What `tend plan` shows instead of a Secret's value that the plan changes.
    public static let sensitiveChanged = "(sensitive value, changed)"

    private func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    /// A stable, machine-readable form of a plan for `--output json`.
    public static func json(_ plan: ReconcilePlan) -> Value {
        var actions: [Value] = []
        for c in plan.children where c.action != .unchanged {
            var a: Value = ["action": .string(c.replacement == nil ? Self.actionName(c.action) : "replace"), "child": .string(c.id), "apiVersion": .string(c.kind.apiVersion), "kind": .string(c.kind.kind), "namespace": .string(c.key.namespace), "name": .string(c.key.name)]
            if c.action.isWrite {
                a["object"] = shown(c.desired)
                if let live = c.live {
                    let projected = projection(of: live, onto: c.desired)
                    a["changes"] = .array(ValueDiff.changes(from: shown(projected), to: shown(c.desired, comparedTo: projected)).map { .string($0.description) })
                    if let drift = c.drift { a["drift"] = drift.json }
                    if let why = c.replacement { a["reason"] = .string(why.description) }
                }
            }
            actions.append(a)
        }
        for p in plan.prune {
            actions.append(["action": .string(p.policy == .delete ? "delete" : "release"), "child": p.id.map(Value.string) ?? .null, "apiVersion": .string(p.kind.apiVersion), "kind": .string(p.kind.kind), "namespace": .string(p.key.namespace), "name": .string(p.key.name)])
        }
        var out: Value = [
            "rule": .string(plan.rule),
            "object": ["apiVersion": .string(plan.parent.kind.apiVersion), "kind": .string(plan.parent.kind.kind), "namespace": .string(plan.parent.key.namespace), "name": .string(plan.parent.key.name)],
            "actions": .array(actions),
            "problems": .array(plan.problems.map { ["reason": .string($0.reason), "message": .string($0.message)] }),
        ]
        if plan.suspended { out["suspended"] = true }
        if !plan.finalizing.isEmpty { out["finalizing"] = .array(plan.finalizing.map(Value.string)) }
        if let origin = plan.followsFrom {
            out["followsFrom"] = [
                "rule": .string(origin.rule), "action": origin.created ? "create" : "update", "depth": .int(Int64(origin.depth)),
                "object": ["apiVersion": .string(origin.object.kind.apiVersion), "kind": .string(origin.object.kind.kind), "namespace": .string(origin.object.key.namespace), "name": .string(origin.object.key.name)],
            ]
        }
        if let patch = plan.parentPatch { out["patch"] = patch }
        if plan.statusChanged, let status = plan.status { out["status"] = status }
        if let change = plan.phaseChange {
            var phase: Value = ["from": change.from.map(Value.string) ?? .null, "to": .string(change.to)]
            if let reason = change.reason { phase["reason"] = .string(reason) }
            if let message = change.message { phase["message"] = .string(message) }
            out["phase"] = phase
        }
        if let pending = plan.status?["pendingTransition"], let due = plan.requeueAfter {
            var p = pending
            p["dueInSeconds"] = .int(Int64(due.components.seconds))
            out["pendingTransition"] = p
        }
        return out
    }

    /// `4m10s`, `59s`, `2h0m0s`: whole seconds, Go's duration style.
    static func humanDuration(_ d: Duration) -> String {
        let total = max(0, Int(d.components.seconds) + (d.components.attoseconds > 0 ? 1 : 0))
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        if h > 0 { return "\(h)h\(m)m\(s)s" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }

    static func actionName(_ a: PlannedChild.Action) -> String {
        switch a {
        case .create: "create"
        case .update: "update"
        case .unchanged: "unchanged"
        case .notOwned: "refused"
        case .waiting: "waiting"
        }
    }
}
