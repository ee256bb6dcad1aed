import TendMeta
import TendRuntime

/// Notices when Tend and another writer fight over a child's fields, and slows Tend's side down.
///
/// Pure bookkeeping on an injected timeline (``RuntimeInstant``s from the rule's ``RuntimeClock``),
/// keyed by child reference; the engine feeds it every planned child and obeys its decisions
/// (`RuleController+Contest`).
///
/// Contract:
/// - ``drifted(_:desiredHash:now:)`` is called for a child whose apply is needed only because
///   someone else changed it (``TendRules/Drift``). While the child is not contested it answers
///   ``Decision/apply``. The apply that makes ``Policy/threshold`` drift re-applies within
///   ``Policy/window`` answers ``Decision/applyAndAnnounce`` (once per contest: the caller records
///   the Warning Event then) and starts a hold of ``Policy/firstHold``.
/// - While contested, a drift seen before the hold ends answers ``Decision/hold(until:)`` (do not
///   apply; look again then); the first drift seen after it answers ``Decision/apply`` and starts
///   the next hold, twice as long, at most ``Policy/maxHold``.
/// - The contest ends, and drift is re-applied at once again, when Tend's desired object changes
///   (another `desiredHash`), or when the child was seen matching (``planned(_:desiredHash:now:)``)
///   and no drift came for ``Policy/quiet``.
/// - Memory: one entry per child that drifted recently; entries not seen for ``Policy/forgetAfter``
///   are dropped (swept at most once a minute).
struct ContestTracker: Sendable {
    struct Policy: Sendable {
        /// Drift re-applies within ``window`` that make a contest.
        var threshold = 5
        var window: Duration = .seconds(60)
        /// The first hold; each later one doubles, up to ``maxHold``.
        var firstHold: Duration = .seconds(5)
        var maxHold: Duration = .seconds(300)
        /// Time without drift, after the child was seen matching, that ends a contest.
        var quiet: Duration = .seconds(120)
        /// Entries of children not seen for this long are forgotten.
        var forgetAfter: Duration = .seconds(900)
    }

    enum Decision: Sendable, Equatable {
        /// Re-apply now.
        case apply
        /// Re-apply now, and say once that the child is contested: the threshold was reached.
        case applyAndAnnounce
        /// Do not apply before this instant; reconcile again then.
        case hold(until: RuntimeInstant)
    }

    private struct Entry: Sendable {
        var desiredHash: String
        /// Drift re-applies within the window, oldest first.
        var reapplies: [RuntimeInstant] = []
        var contested = false
        var holdUntil: RuntimeInstant?
        var nextHold: Duration = .zero
        /// When the child was first seen matching since the last drift; nil while drifted.
        var calmSince: RuntimeInstant?
        var lastSeen: RuntimeInstant
    }

    let policy: Policy
    private var entries: [ObjectReference: Entry] = [:]
    private var lastSweep: RuntimeInstant?

    init(policy: Policy = Policy()) { self.policy = policy }

    /// Children tracked now.
    var count: Int { entries.count }

    /// Whether `reference` is contested now.
    func isContested(_ reference: ObjectReference) -> Bool { entries[reference]?.contested ?? false }

    /// A drift of `reference` was planned (its desired object has hash `desiredHash`): what to do.
    mutating func drifted(_ reference: ObjectReference, desiredHash: String, now: RuntimeInstant) -> Decision {
        sweep(now: now)
        var entry = entries[reference] ?? Entry(desiredHash: desiredHash, lastSeen: now)
        if entry.desiredHash != desiredHash || entry.calmSince.map({ now - $0 >= policy.quiet }) == true {
            entry = Entry(desiredHash: desiredHash, lastSeen: now)
        }
        entry.lastSeen = now
        entry.calmSince = nil
        defer { entries[reference] = entry }
        if entry.contested {
            if let until = entry.holdUntil, now < until { return .hold(until: until) }
            entry.holdUntil = now + entry.nextHold
            entry.nextHold = min(entry.nextHold * 2, policy.maxHold)
            return .apply
        }
        entry.reapplies.append(now)
        entry.reapplies.removeAll { now - $0 >= policy.window }
        guard entry.reapplies.count >= policy.threshold else { return .apply }
        entry.contested = true
        entry.reapplies = []
        entry.holdUntil = now + policy.firstHold
        entry.nextHold = min(policy.firstHold * 2, policy.maxHold)
        return .applyAndAnnounce
    }

    /// `reference` was planned without drift (matching, created, or changed by Tend's own desired
    /// object): a new desired object ends its contest; matching long enough ends it too.
    mutating func planned(_ reference: ObjectReference, desiredHash: String, now: RuntimeInstant) {
        sweep(now: now)
        guard var entry = entries[reference] else { return }
        if entry.desiredHash != desiredHash {
            entries[reference] = nil
            return
        }
        let calm = entry.calmSince ?? now
        if now - calm >= policy.quiet {
            entries[reference] = nil
            return
        }
        entry.calmSince = calm
        entry.lastSeen = now
        entries[reference] = entry
    }

    /// Drops entries not seen for ``Policy/forgetAfter``; runs at most once a minute.
    private mutating func sweep(now: RuntimeInstant) {
        if let last = lastSweep, now - last < .seconds(60) { return }
        lastSweep = now
        entries = entries.filter { now - $0.value.lastSeen < policy.forgetAfter }
    }
}
