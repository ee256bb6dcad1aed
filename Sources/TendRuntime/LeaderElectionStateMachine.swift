/// Lease-based leader election as a pure state machine (client-go `tools/leaderelection`).
/// The I/O layer reads and writes the Lease and runs the callbacks; this machine decides.
///
/// Driving it: call ``start(now:)``; perform each returned ``Action`` in order and feed the outcome
/// back as an ``Input`` (`.read` → `.observed`/`.readFailed`; `.create`/`.update` →
/// `.writeSucceeded`/`.writeFailed`; `.wait(until:)` → `.tick` at that instant). `.stopLeading`
/// must complete — every writer stopped — before the driver performs the next action.
///
/// Decisions (each `.read` is followed by one of):
/// - Lease absent → `.create` a record naming us.
/// - Held by another identity and not expired → wait ``Configuration/retryPeriod`` and read again.
///   "Expired" means the record has not changed for its `leaseDurationSeconds`, measured on *our*
///   monotonic clock from when *we observed* the last change (so wall-clock offsets are irrelevant).
/// - Expired, released, or held by us → `.update` with our identity, conditional on the observed
///   `resourceVersion` (a 409 conflict means someone else won the race).
/// - A successful write makes us leader (`.startLeading`, once) and schedules the next renewal.
///
/// ## Why the leader stops in time
/// Let `t` be the instant we *sent* our last successful renewal. The server stored it after `t`, and
/// any other candidate observed that change after it was stored, so no candidate can consider the
/// lease expired before `t + leaseDuration` (15 s). We step down at `t + renewDeadline` (10 s) when
/// no later renewal has succeeded — measured from the send time, not the response time, which only
/// makes us earlier. The gap `leaseDuration − renewDeadline` (5 s) must cover stopping every writer
/// (in-flight requests need timeouts shorter than that) and the drift between the machines' clock
/// *rates* over 15 s. ``stepDownDeadline`` is exposed so the driver can bound a hanging renewal request:
/// it must feed `.tick` no later than that instant even if the request has not returned.
/// Leader election is not fencing: a paused process (GC, SIGSTOP) can still act late. Writers that
/// must never overlap need their own preconditions (resourceVersion, owner checks).
///
/// Shutdown: ``Input/shutdown`` stops leading and then releases the lease (holder cleared, duration
/// 1 s), so a successor does not wait out the lease.
public struct LeaderElectionStateMachine: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var identity: String
        /// How long others wait after the last observed change before taking over (15 s).
        public var leaseDuration: Duration = .seconds(15)
        /// How long the leader keeps leading without a successful renewal (10 s).
        public var renewDeadline: Duration = .seconds(10)
        /// Interval between attempts to acquire or renew (2 s).
        public var retryPeriod: Duration = .seconds(2)

        public init(identity: String) { self.identity = identity }
    }

    public enum Input: Sendable, Hashable {
        /// The Lease as read; nil when it does not exist (404).
        case observed(ObservedLease?)
        case readFailed
        /// A create or update succeeded; the Lease as stored.
        case writeSucceeded(ObservedLease)
        /// A create or update failed (409 conflict, 409 AlreadyExists, timeout, ...).
        case writeFailed
        /// A `.wait(until:)` instant arrived.
        case tick
        /// The process is stopping.
        case shutdown
    }

    public enum Action: Sendable, Hashable {
        case read
        case create(LeaseRecord)
        /// Update the Lease, with `metadata.resourceVersion` as the precondition.
        case update(LeaseRecord, resourceVersion: String)
        case startLeading
        /// Stop every writer now; complete before performing further actions.
        case stopLeading
        case wait(until: RuntimeInstant)
    }

    public enum Role: Sendable, Hashable {
        case follower
        case leader
        /// Shut down; every later input is ignored.
        case stopped
    }

    public let configuration: Configuration
    public private(set) var role: Role = .follower
    /// The last record read or written, and when (monotonic) it was first seen in that form.
    public private(set) var observed: ObservedLease?
    private var observedAt: RuntimeInstant = .zero
    /// When the write in flight was sent.
    private var writeSentAt: RuntimeInstant?
    /// When the last successful renewal was sent.
    private var lastRenewSentAt: RuntimeInstant?

    public init(_ configuration: Configuration) {
        precondition(
            configuration.leaseDuration > configuration.renewDeadline
                && configuration.renewDeadline > configuration.retryPeriod * 6 / 5,
            "need leaseDuration > renewDeadline > 1.2 × retryPeriod (client-go)")
        self.configuration = configuration
    }

    public var isLeader: Bool { role == .leader }

    /// When the leader must have stopped if no renewal succeeds before then; nil unless leading.
    public var stepDownDeadline: RuntimeInstant? {
        guard role == .leader, let sent = lastRenewSentAt else { return nil }
        return sent + configuration.renewDeadline
    }

    public mutating func start(now: RuntimeInstant) -> [Action] {
        role == .stopped ? [] : [.read]
    }

    public mutating func handle(_ input: Input, now: RuntimeInstant, wallTime: WallTime) -> [Action] {
        guard role != .stopped else { return [] }
        if case .shutdown = input { return shutDown(now: now, wallTime: wallTime) }
        // Whatever happened, a leader past its deadline steps down first.
        var actions: [Action] = []
        if let deadline = stepDownDeadline, now >= deadline {
            role = .follower
            actions.append(.stopLeading)
        }
        switch input {
        case .tick:
            return actions + [.read]

        case .observed(nil):
            writeSentAt = now
            return actions + [.create(record(renewing: nil, wallTime: wallTime))]

        case .observed(let lease?):
            if lease.record != observed?.record {
                observedAt = now
            }
            observed = lease
            let expiry = observedAt + .seconds(lease.record.leaseDurationSeconds)
            let heldByOther = lease.record.isHeld && lease.record.holderIdentity != configuration.identity
            if heldByOther && now < expiry {
                if role == .leader {  // someone else holds it: we lost it
                    role = .follower
                    actions.append(.stopLeading)
                }
                return actions + [.wait(until: nextAttempt(now))]
            }
            writeSentAt = now
            return actions + [.update(record(renewing: lease.record, wallTime: wallTime), resourceVersion: lease.resourceVersion)]

        case .writeSucceeded(let lease):
            observed = lease
            observedAt = now
            guard let sent = writeSentAt else { return actions + [.wait(until: nextAttempt(now))] }
            writeSentAt = nil
            // A late success for a renewal sent before our deadline passed must not resurrect leadership.
            guard now < sent + configuration.renewDeadline else { return actions + [.wait(until: nextAttempt(now))] }
            lastRenewSentAt = sent
            if role != .leader {
                role = .leader
                actions.append(.startLeading)
            }
            return actions + [.wait(until: nextAttempt(now))]

        case .writeFailed, .readFailed:
            writeSentAt = nil
            return actions + [.wait(until: nextAttempt(now))]

        case .shutdown:
            return actions  // handled above
        }
    }

    // MARK: Helpers

    /// The next attempt, but never later than the step-down deadline while leading.
    private func nextAttempt(_ now: RuntimeInstant) -> RuntimeInstant {
        let next = now + configuration.retryPeriod
        guard let deadline = stepDownDeadline else { return next }
        return min(next, deadline)
    }

    /// Our record: renewing keeps acquire time and transitions; taking over bumps the transitions.
    private func record(renewing old: LeaseRecord?, wallTime: WallTime) -> LeaseRecord {
        let seconds = Int(configuration.leaseDuration.components.seconds)
        if let old, old.holderIdentity == configuration.identity {
            return LeaseRecord(
                holderIdentity: configuration.identity, leaseDurationSeconds: seconds,
                acquireTime: old.acquireTime ?? wallTime, renewTime: wallTime, leaseTransitions: old.leaseTransitions)
        }
        return LeaseRecord(
            holderIdentity: configuration.identity, leaseDurationSeconds: seconds, acquireTime: wallTime,
            renewTime: wallTime, leaseTransitions: old.map { $0.leaseTransitions + 1 } ?? 0)
    }

    private mutating func shutDown(now: RuntimeInstant, wallTime: WallTime) -> [Action] {
        let wasLeader = role == .leader
        role = .stopped
        guard wasLeader, let lease = observed, lease.record.holderIdentity == configuration.identity else {
            return wasLeader ? [.stopLeading] : []
        }
        var released = lease.record
        released.holderIdentity = nil
        released.leaseDurationSeconds = 1
        released.renewTime = wallTime
        released.acquireTime = wallTime
        return [.stopLeading, .update(released, resourceVersion: lease.resourceVersion)]
    }
}
