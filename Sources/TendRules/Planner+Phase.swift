import Foundation
import TendCEL
import TendMeta
import TendValue

extension Planner {
    /// `status` fields Tend writes itself; a rule's `status.fields` may not declare them.
    public static let statusFieldsWrittenByTend: Set<String> = [
        "phase", "conditions", "observedGeneration", "phaseTransitionTime", "pendingTransition", "phaseHistory",
    ]

    /// `status` fields Tend removes when they no longer apply (a status write drops them).
    public static let removableStatusFields: Set<String> = ["pendingTransition"]

    /// How many past transitions `status.phaseHistory` keeps (newest last).
    public static let phaseHistoryLimit = 10
}

/// The outcome of evaluating a phase machine once.
struct PhaseStep {
    /// The phase after this reconcile.
    var phase: String
    /// The transition that fired, if any.
    var fired: Rule.PhaseMachine.Transition?
    /// A `for:` transition whose guard holds but has not held long enough: its target and since when.
    var pending: (to: String, since: Date)?
    /// When the pending transition is due, relative to now.
    var dueIn: Duration?
    /// Every transition leaving the current phase and what it did, when tracing.
    var transitions: [PlanTrace.Transition] = []
}

extension Context {
    /// Evaluates the transitions leaving `current`, in declaration order; the first whose guard
    /// holds decides. Without `for:` it fires. With `for:` it fires when the guard has held since
    /// `status.pendingTransition.since` for at least that long; until then it is pending (and no
    /// later transition fires: declaration order is priority). A guard that fails to evaluate
    /// does not hold. When no guard holds, nothing is pending.
    func stepPhase(_ machine: Rule.PhaseMachine, current: String, liveStatus: Value) -> PhaseStep {
        var step = PhaseStep(phase: current)
        let leavingIndices = machine.transitions.indices.filter { i in
            let t = machine.transitions[i]
            return t.to != current && (t.from.isEmpty || t.from.contains(current))
        }
        let leaving = leavingIndices.map { machine.transitions[$0] }
        /// Records `t` and, once one decides, every later transition as shadowed.
        func record(_ index: Int, _ result: Result<Bool, CELError>, _ verdict: PlanTrace.Transition.Verdict, decided: Bool) {
            guard trace != nil else { return }
            let t = leaving[index]
            step.transitions.append(.init(index: leavingIndices[index], from: t.from, to: t.to, guardEvaluation: .init(t.when, result: result), holdFor: t.holdFor, verdict: verdict))
            guard decided else { return }
            for later in (index + 1)..<leaving.count {
                let l = leaving[later]
                step.transitions.append(.init(index: leavingIndices[later], from: l.from, to: l.to, guardEvaluation: .init(l.when, variables), holdFor: l.holdFor, verdict: .shadowed))
            }
        }
        for (index, t) in leaving.enumerated() {
            let holds: Bool
            let result = Result(catching: { () throws(CELError) -> Bool in try t.when.evaluateCondition(variables) })
            switch result {
            case .success(let b): holds = b
            case .failure: holds = false  // a guard reading a field that is not there yet does not fire
            }
            guard holds else {
                record(index, result, .doesNotHold, decided: false)
                continue
            }
            guard let holdFor = t.holdFor else {
                step.phase = t.to
                step.fired = t
                record(index, result, .fires, decided: true)
                return step
            }
            let live = liveStatus["pendingTransition"]
            var since = now
            if live?["to"]?.stringValue == t.to, let text = live?["since"]?.stringValue, let date = RFC3339.parse(text), date <= now {
                since = date
            }
            let elapsed = Duration.seconds(now.timeIntervalSince(since))
            if elapsed >= holdFor {
                step.phase = t.to
                step.fired = t
                record(index, result, .fires, decided: true)
                return step
            }
            step.pending = (t.to, since)
            step.dueIn = holdFor - elapsed
            record(index, result, .pending(since: since, dueIn: holdFor - elapsed), decided: true)
            return step
        }
        return step
    }

    /// Writes the phase, `phaseTransitionTime`, `pendingTransition` and `phaseHistory` into `status`.
    mutating func planPhase(_ machine: Rule.PhaseMachine, liveStatus: Value, into status: inout Value.Object, plan: inout ReconcilePlan) {
        let livePhase = parent[path: machine.path]?.stringValue
        let current = livePhase.flatMap { machine.phases.contains($0) ? $0 : nil } ?? machine.initial
        variables["phase"] = .string(current)
        let step = stepPhase(machine, current: current, liveStatus: liveStatus)
        if trace != nil { trace?.phase = PlanTrace.Phase(current: current, live: livePhase, transitions: step.transitions) }
        if step.phase != livePhase {
            var change = ReconcilePlan.PhaseChange(from: livePhase, to: step.phase, reason: step.fired?.reason)
            if let template = step.fired?.message {
                switch template.evaluateLocated(variables) {
                case .success(.string(let text)): change.message = text
                case .success(let other): change.message = JSON.serialize(other)
                case .failure(let d): plan.problems.append(.init(reason: "StatusError", message: "transition to \(step.phase): message: \(d)"))
                }
            }
            plan.phaseChange = change
        }
        variables["phase"] = .string(step.phase)
        plan.requeueAfter = step.dueIn

        var s = Value.object(status)
        try? s.set(FieldPath(Array(machine.path.components.dropFirst())), to: .string(step.phase))
        status = s.objectValue ?? status

        let stamp = Value.string(RFC3339.format(now))
        var history = liveStatus["phaseHistory"]?.arrayValue ?? []
        if let fired = step.fired {
            status["phaseTransitionTime"] = stamp
            var entry: Value = ["from": .string(current), "to": .string(step.phase), "time": stamp]
            if let reason = fired.reason { entry["reason"] = .string(reason) }
            if let message = plan.phaseChange?.message { entry["message"] = .string(message) }
            history.append(entry)
            history = Array(history.suffix(Planner.phaseHistoryLimit))
        } else if livePhase != step.phase {
            status["phaseTransitionTime"] = stamp  // the initial phase, first written now
        } else {
            status["phaseTransitionTime"] = liveStatus["phaseTransitionTime"] ?? stamp
        }
        if !history.isEmpty { status["phaseHistory"] = .array(history) }
        if let pending = step.pending {
            status["pendingTransition"] = ["to": .string(pending.to), "since": .string(RFC3339.formatMilliseconds(pending.since))]
        }
    }
}
