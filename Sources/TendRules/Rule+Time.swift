import Foundation
import TendCEL
import TendValue

extension Rule {
    /// How often an object is reconciled again when an expression reads `now` and no comparison
    /// gives the instant its result changes (`now.getHours() >= 9`), unless the rule sets
    /// `spec.requeueAfter`.
    public static let defaultTimePeriod: Duration = .seconds(60)

    /// The expressions reconciling an object evaluates (not `watch.when`, which runs when the object
    /// changes), for finding those that read `now`.
    var reconcilePrograms: [CELProgram] {
        var out: [CELProgram] = []
        for child in children + (finalize?.children ?? []) {
            out += child.template.programs + child.includeWhen + child.readyWhen + child.forEach.map(\.values)
        }
        out += finalize?.when ?? []
        for lookup in lookups { out += lookup.includeWhen }
        if let patch { out += patch.programs }
        if let phase = status.phase {
            for t in phase.transitions { out += [t.when] + (t.message?.programs ?? []) }
        }
        for c in status.conditions { out += c.status.programs + (c.reason?.programs ?? []) + (c.message?.programs ?? []) }
        for f in status.fields { out += f.value.programs }
        return out
    }

    /// The expressions that read `now` (computed once when the rule is compiled).
    var timeDependentPrograms: [CELProgram] { reconcilePrograms.filter(\.readsTimeVariable) }
}

extension Context {
    /// When an expression reads `now`, requeues the object for the earliest instant at which one
    /// of its comparisons with `now` changes (plus a millisecond, so the comparison has flipped), or
    /// after the rule's period when none can be computed; the earlier of that and any requeue the
    /// plan already has (a pending phase transition) wins.
    func planTimeRequeue(into plan: inout ReconcilePlan) {
        guard !rule.timePrograms.isEmpty else { return }
        let nowSeconds = now.timeIntervalSince1970
        var due: Duration?
        var computable = true
        for program in rule.timePrograms {
            let boundaries = program.timeBoundaries(variables)
            if boundaries.isEmpty { computable = false }
            for b in boundaries {
                let at = Double(b.seconds) + Double(b.nanos) / 1e9
                guard at >= nowSeconds else { continue }
                let wait = Duration.milliseconds(Int64(((at - nowSeconds) * 1000).rounded(.up)) + 1)
                due = min(due ?? wait, wait)
            }
        }
        if !computable { due = min(due ?? (rule.requeueAfter ?? Rule.defaultTimePeriod), rule.requeueAfter ?? Rule.defaultTimePeriod) }
        guard let due else { return }
        plan.requeueAfter = min(plan.requeueAfter ?? due, due)
    }
}
