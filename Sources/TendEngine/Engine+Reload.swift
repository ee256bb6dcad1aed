import CoreMetrics
import Logging
import Synchronization
public import TendRules
public import TendValue

extension Engine {
    /// What a reload did.
    public enum ReloadOutcome: Sendable {
        /// The new set replaced the running one; the diff says how.
        case applied(RuleSetDiff)
        /// The new set had errors (located, as `tend check` reports them); nothing changed.
        case failed([Diagnostic])
        /// ``shutdown()`` was called; nothing changed.
        case stopping
    }

    /// Replaces the running rules with the result of loading the rule paths again: `tend run` calls it
    /// on SIGHUP and when the rule files change.
    ///
    /// All or nothing: when `loaded` has any error (any error `tend check` would report), nothing
    /// changes: the running rules keep running, each error is logged at error level in the
    /// `file:line:col: error: message` form, and `tend_rule_reloads_total{result="failed"}` counts it.
    /// Readiness is unaffected. Otherwise see ``reload(rules:)``.
    @discardableResult
    public func reload(_ loaded: RuleLoader.Result) -> ReloadOutcome {
        guard !loaded.hasErrors else { return failed(loaded.diagnostics.filter { $0.severity == .error }) }
        for warning in loaded.diagnostics where warning.severity == .warning { logger.warning("\(warning)") }
        return reload(rules: loaded.rules)
    }

    /// Replaces the running rules with `rules` (compiled without errors), by name (``RuleSetDiff``):
    ///
    /// - **unchanged** rules (equal ``TendRules/Rule/fingerprint``) keep their controller untouched:
    ///   queue, backoff, expectations and contest state stay;
    /// - **removed** rules stop gracefully: intake stops, in-flight reconciles finish (within the grace
    ///   period), their handlers leave the shared informers. Nothing they created is deleted or changed;
    ///   the leader then removes the rule's finalizer from the objects it watched
    ///   (``RuleController/retire()``), so deleting one does not hang;
    /// - **changed** rules stop like removed ones, then a new controller starts once the old one has
    ///   drained; it receives every watched object as added, so each is reconciled with the new version
    ///   (pruning children of templates the new version no longer has through the inventory record);
    /// - **added** rules start like rules at engine start (waiting for their kind when it is not served).
    ///
    /// Every replica applies a reload, leading or not, so a replica that becomes leader later starts
    /// the current rules. Informers only the old rules used keep running (shared, unreferenced); they
    /// cost their watch until the process restarts. Logs one info line naming the rules by category,
    /// counts `tend_rule_reloads_total{result="applied"}` and sets `tend_rules`. Duplicate names fail
    /// the reload. After ``shutdown()`` it changes nothing and returns ``ReloadOutcome/stopping``.
    @discardableResult
    public func reload(rules: [Rule]) -> ReloadOutcome {
        var seen: [String: SourceLocation] = [:]
        var duplicates: [Diagnostic] = []
        for rule in rules {
            if let first = seen[rule.name] {
                duplicates.append(Diagnostic(.error, at: rule.location, "duplicate rule name \"\(rule.name)\" (first defined at \(first))"))
            } else {
                seen[rule.name] = rule.location
            }
        }
        guard duplicates.isEmpty else { return failed(duplicates) }

        let applied = slots.withLock { s -> (RuleSetDiff, [RuleSlot])? in
            guard !s.stopping else { return nil }
            let diff = RuleSetDiff(old: s.active.map(\.controller.rule), new: rules)
            let old = Dictionary(s.active.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let changed = Set(diff.changed.map(\.name))
            var next: [RuleSlot] = []
            var started: [RuleSlot] = []
            var stopped: [RuleSlot] = diff.removed.compactMap { old[$0] }
            for rule in rules {
                if let previous = old[rule.name], !changed.contains(rule.name) {
                    next.append(previous)
                    continue
                }
                let predecessor = old[rule.name]
                let slot = RuleSlot(controller: makeController(rule), after: predecessor?.drained)
                if let predecessor { stopped.append(predecessor) }
                next.append(slot)
                started.append(slot)
            }
            s.active = next
            for slot in stopped where diff.removed.contains(slot.name) { slot.removed.withLock { $0 = true } }
            for slot in stopped {
                slot.stop.fire()
                // Not leading: the slot has no writer to drain, so a successor may start at once.
                if s.writers == nil { slot.drained.fire() }
            }
            // While run() has not started its groups, they take the slots from `active` instead.
            for slot in started {
                s.rules?.yield(slot)
                s.writers?.yield(slot)
            }
            return (diff, stopped)
        }
        guard let applied else {
            logger.warning("rule reload ignored: shutting down")
            return .stopping
        }
        let (diff, stopped) = applied
        let removed = Set(diff.removed)
        for slot in stopped where removed.contains(slot.name) { metrics.watchedObjects(slot.name).record(0) }
        metrics.rules.record(rules.count)
        metrics.reloadsApplied.increment()
        func names(_ list: [String]) -> String { list.isEmpty ? "-" : list.joined(separator: ",") }
        logger.info(
            "rules reloaded",
            metadata: [
                "added": "\(names(diff.added.map(\.name)))", "changed": "\(names(diff.changed.map(\.name)))",
                "removed": "\(names(diff.removed))", "unchanged": "\(names(diff.unchanged))",
            ])
        return .applied(diff)
    }

    private func failed(_ errors: [Diagnostic]) -> ReloadOutcome {
        for error in errors { logger.error("\(error)") }
        logger.error("rule reload failed; the running rules keep running", metadata: ["errors": "\(errors.count)"])
        metrics.reloadsFailed.increment()
        return .failed(errors)
    }
}
