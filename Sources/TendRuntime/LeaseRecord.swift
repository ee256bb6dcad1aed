/// Wall-clock time as written into a Lease (`MicroTime`: microseconds since the Unix epoch, UTC).
///
/// Only recorded, never used for decisions: expiry is judged on the monotonic clock from the moment
/// a change to the record was *observed*, as client-go does, so clock offsets between machines do
/// not matter (differences in clock *rate* do; see ``LeaderElectionStateMachine``).
public struct WallTime: Sendable, Hashable, Comparable {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}

/// The leader-election fields of a `coordination.k8s.io/v1` Lease spec (client-go `LeaderElectionRecord`).
public struct LeaseRecord: Sendable, Hashable {
    /// The current holder; nil or empty when released.
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int
    public var acquireTime: WallTime?
    public var renewTime: WallTime?
    public var leaseTransitions: Int

    public init(
        holderIdentity: String?, leaseDurationSeconds: Int, acquireTime: WallTime? = nil,
        renewTime: WallTime? = nil, leaseTransitions: Int = 0
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// True when someone holds the lease.
    public var isHeld: Bool { !(holderIdentity ?? "").isEmpty }
}

/// A Lease as read from (or written to) the apiserver: its record and `metadata.resourceVersion`,
/// the precondition for the next optimistic-concurrency update.
public struct ObservedLease: Sendable, Hashable {
    public var record: LeaseRecord
    public var resourceVersion: String

    public init(record: LeaseRecord, resourceVersion: String) {
        self.record = record
        self.resourceVersion = resourceVersion
    }
}
