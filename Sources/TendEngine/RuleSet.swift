import Synchronization
public import TendRules

/// How a new set of rules differs from the running one, by rule name (pure; no I/O).
///
/// Rules are identified by `metadata.name`:
/// - **unchanged**: in both sets with equal ``TendRules/Rule/fingerprint`` (the same source document
///   up to formatting, comments and key order); its controller keeps running untouched;
/// - **changed**: in both sets with different fingerprints; the old controller stops, a new one starts;
/// - **added** / **removed**: in one set only. A renamed rule is removed under its old name and added
///   under the new one.
///
/// Each list keeps the order of the set it comes from (`removed` and `unchanged` the old set's,
/// `added` and `changed` the new set's). Names are assumed unique within each set (`tend check`
/// rejects duplicates).
public struct RuleSetDiff: Sendable, Equatable {
    /// Rules of the new set whose name the old set does not have.
    public var added: [Rule]
    /// Rules of the new set whose name the old set has, with another fingerprint.
    public var changed: [Rule]
    /// Names of old rules the new set does not have.
    public var removed: [String]
    /// Names of rules in both sets with equal fingerprints.
    public var unchanged: [String]

    public init(old: [Rule], new: [Rule]) {
        let oldFingerprints = Dictionary(old.map { ($0.name, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.map(\.name))
        added = new.filter { oldFingerprints[$0.name] == nil }
        changed = new.filter { rule in oldFingerprints[rule.name].map { $0 != rule.fingerprint } ?? false }
        let changedNames = Set(changed.map(\.name))
        removed = old.map(\.name).filter { !newNames.contains($0) }
        unchanged = old.map(\.name).filter { newNames.contains($0) && !changedNames.contains($0) }
    }

    /// True when the new set behaves exactly like the old one.
    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    public static func == (a: RuleSetDiff, b: RuleSetDiff) -> Bool {
        a.added.map(\.name) == b.added.map(\.name) && a.changed.map(\.name) == b.changed.map(\.name)
            && a.removed == b.removed && a.unchanged == b.unchanged
    }
}

/// One running rule inside the engine: its controller and the signals that end it.
///
/// A slot lives from the reload (or engine start) that added it until a reload removes or replaces
/// it, or the engine stops. Its tasks — the informer set-up in ``Engine/run()``'s rule group and,
/// while leading, the writer in the writers group — end when ``stop`` fires or the engine's task is
/// cancelled, so no slot outlives ``Engine/run()``.
final class RuleSlot: Sendable {
    let controller: RuleController
    /// Fired when the rule is removed or replaced, or the engine shuts down: set-up and waiting are
    /// cancelled, the controller stops intake and lets in-flight reconciles finish.
    let stop = Signal()
    /// Fired when this slot's writer has ended (its in-flight reconciles finished), or at once when it
    /// never had one (stopped while not leading).
    let drained = Signal()
    /// For a changed rule: the previous version's ``drained``. The new writer waits for it, so two
    /// versions of one rule never reconcile the same object at the same time.
    let after: Signal?
    /// Set when a reload removed the rule (not replaced it): once drained, its writer releases the
    /// rule's finalizer from the objects it watched (``RuleController/retire()``).
    let removed = Mutex(false)

    init(controller: RuleController, after: Signal? = nil) {
        self.controller = controller
        self.after = after
    }

    var name: String { controller.rule.name }
}
