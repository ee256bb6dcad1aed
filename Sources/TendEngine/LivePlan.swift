public import TendRules

/// What a live `tend plan` produced: the plans it could make, and the rules it could not plan.
///
/// A plan with ``failures`` is incomplete: it says nothing about the objects of those rules, so a
/// caller must not report it as "no changes" (``isComplete``).
public struct LivePlan: Sendable {
    /// One plan per rule and watched object, in rule order then key order.
    public var plans: [ReconcilePlan]
    /// Rules that could not be planned, in rule order.
    public var failures: [RuleFailure]

    public var isComplete: Bool { failures.isEmpty }
}

/// A rule that could not be planned or explained against the live cluster, and why.
public struct RuleFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// Its informers could not be set up: discovery failed (connection, TLS, credentials), or
        /// a kind it watches or looks up is not served (CRD not installed).
        case setUp
        /// Its informers did not list within the sync deadline (listing forbidden, a server that
        /// does not answer); ``RuleFailure/unsynced`` names them.
        case syncTimeout
    }

    public var rule: String
    public var reason: Reason
    /// What went wrong, in words; for ``Reason/syncTimeout`` it names each kind not synced.
    public var message: String
    /// For ``Reason/syncTimeout``: each kind (and namespace) that did not sync, with its last
    /// list or watch failure when there was one.
    public var unsynced: [String] = []

    public var description: String { "rule \(rule): \(message)" }
}
