public import CoreMetrics
import Foundation
import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendRuntime
import TendValue

/// Shadow mode (`tend run --dry-run`, ``EngineOptions/dryRun``): one rule's metrics and the
/// record of what it last logged per object (``ShadowReport``).
///
/// Metrics, per rule and never per object: `tend_shadow_writes_total{rule, operation}` counts
/// every dry-run write the server accepted (at every reconcile: nothing persists, so an object's
/// writes are planned and counted again each time it is reconciled), and
/// `tend_shadow_rejections_total{rule}` every dry-run write it refused.
final class ShadowGuard: Sendable {
    static let writesName = "tend_shadow_writes_total"
    static let rejectionsName = "tend_shadow_rejections_total"

    let report: Mutex<ShadowReport>
    private let writes: [ShadowWrite.Operation: Counter]
    private let rejections: Counter

    init(rule: String, metrics: any MetricsFactory, capacity: Int = 10_000) {
        report = Mutex(ShadowReport(capacity: capacity))
        var writes: [ShadowWrite.Operation: Counter] = [:]
        for operation in ShadowWrite.Operation.allCases {
            writes[operation] = Counter(label: Self.writesName, dimensions: [("rule", rule), ("operation", operation.rawValue)], factory: metrics)
        }
        self.writes = writes
        rejections = Counter(label: Self.rejectionsName, dimensions: [("rule", rule)], factory: metrics)
    }

    /// Counts `writes`, then logs them (one line each, rejections and problems as warnings) when
    /// they differ from what was last logged for `object`.
    func record(_ object: ObjectReference, writes list: [ShadowWrite], logger: Logger) {
        for write in list {
            switch write.verdict {
            case .accepted(let operation): writes[operation]?.increment()
            case .rejected: rejections.increment()
            case .problem: break
            }
        }
        guard report.withLock({ $0.changed(object, writes: list) }) else { return }
        for write in list {
            logger.log(level: write.isWarning ? .warning : .info, "\(write)")
        }
    }
}

extension RuleController {
    /// The end of a reconcile in shadow mode: `outcome` is the dry run of `plan`, `status` the dry
    /// run of its status write (nil: none planned). Reports them (``ShadowGuard/record(_:writes:logger:)``)
    /// and returns ``TendRuntime/ReconcileResult/done``: no retry, no requeue for writes that are
    /// never persisted; the object is reconciled again at its next event or resync.
    func finishShadow(_ shadow: ShadowGuard, plan: ReconcilePlan, parent: Value, outcome: PlanExecutor.Outcome, status: Result<Bool, KubeError>?, logger: Logger) -> ReconcileResult {
        let writes = Self.shadowWrites(plan: plan, parent: parent, outcome: outcome, status: status, executor: executor)
        shadow.record(plan.parent, writes: writes, logger: logger)
        logger.debug("reconciled (shadow mode)", metadata: ["dryRunWrites": "\(outcome.writes)"])
        return .done
    }

    /// What a dry run of `plan` did, as ``ShadowWrite``s in plan order: accepted child writes,
    /// prunes, the parent's patch or finalizer removal, the status; then every refusal and the
    /// plan's own problems (not `Waiting`).
    static func shadowWrites(plan: ReconcilePlan, parent: Value, outcome: PlanExecutor.Outcome, status: Result<Bool, KubeError>?, executor: PlanExecutor) -> [ShadowWrite] {
        var writes: [ShadowWrite] = []
        let created = Set(outcome.created), applied = Set(outcome.applied)
        for child in plan.children {
            if created.contains(child.reference) {
                writes.append(ShadowWrite(verdict: .accepted(.create), target: "\(child.reference)", content: child.desired))
            } else if applied.contains(child.reference) {
                let fields = child.live.map { changedFields(desired: child.desired, live: $0) } ?? []
                writes.append(ShadowWrite(verdict: .accepted(.update), target: "\(child.reference)", fields: fields, content: child.desired))
            }
        }
        let deleted = Set(outcome.deleted), orphaned = Set(outcome.orphaned)
        for pruned in plan.prune {
            if deleted.contains(pruned.reference) { writes.append(ShadowWrite(verdict: .accepted(.delete), target: "\(pruned.reference)")) }
            if orphaned.contains(pruned.reference) { writes.append(ShadowWrite(verdict: .accepted(.orphan), target: "\(pruned.reference)")) }
        }
        if outcome.finalizerRemoved || (outcome.parentPatched && plan.removeFinalizer) {
            writes.append(ShadowWrite(verdict: .accepted(.finalizer), target: "\(plan.parent)"))
        } else if outcome.parentPatched, let patch = plan.parentPatch {
            writes.append(ShadowWrite(verdict: .accepted(.patch), target: "\(plan.parent)", fields: changedFields(desired: patch, live: parent), content: patch))
        }
        switch status {
        case .success(true)?:
            let desired: Value = ["status": plan.status ?? .null]
            let live: Value = ["status": parent["status"] ?? .null]
            writes.append(ShadowWrite(verdict: .accepted(.status), target: "\(plan.parent)", fields: changedFields(desired: desired, live: live)))
        case .failure(let error)?:
            writes.append(ShadowWrite(verdict: .rejected("status of \(plan.parent): \(executor.summary(error))"), target: "\(plan.parent)"))
        case .success(false)?, nil:
            break
        }
        for failure in outcome.failures {
            writes.append(ShadowWrite(verdict: .rejected(failure.message), target: "\(plan.parent)"))
        }
        for problem in plan.problems where problem.reason != "Waiting" {
            writes.append(ShadowWrite(verdict: .problem(problem.description), target: "\(plan.parent)"))
        }
        return writes
    }

    /// The paths of `desired` whose values `live` does not have, without Tend's applied-hash
    /// annotation (it changes with any template change).
    static func changedFields(desired: Value, live: Value) -> [String] {
        let paths = Drift.analyze(desired: desired, live: live)?.paths ?? []
        return paths.map(\.description).filter { !$0.contains(ObjectMatch.appliedHashAnnotation) }
    }
}
