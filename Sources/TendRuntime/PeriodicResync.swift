/// A periodic resync: every `period` (±`jitter`), a callback that re-adds every watched key to
/// the work queue. controller-runtime's `SyncPeriod` (default 10 h).
///
/// Why: a reconcile is triggered by events on what the rule watches (the object, its children, its
/// lookups). State it does not watch (a child kind whose informer could not start, an object
/// changed while a watch was being re-established and folded away, something an expression reads
/// indirectly) can drift without any event; a periodic resync bounds how long such drift lasts. It
/// is a safety net, not a polling loop: a reconcile of an unchanged world writes nothing.
///
/// Contract:
/// - Each wait is drawn independently in `[period × (1 − jitter), period × (1 + jitter))` and
///   measured from the end of the previous tick, so replicas and rules started together drift apart
///   instead of resyncing in lockstep.
/// - ``run(_:)`` never calls `tick` before the first wait has passed (no resync at start: the
///   initial list already enqueues everything) and returns promptly when its task is cancelled.
/// - The tick only enqueues; keys go through the rule's work queue like any other add (deduplicated
///   with keys already queued, handed to the rule's workers at their pace), never around it.
///
/// Time comes from the injected ``RuntimeClock``; randomness from the injected generator
/// (``SplitMix64`` in tests).
public struct PeriodicResync: Sendable {
    public let period: Duration
    /// Fraction of the period the wait may deviate by, either way (0.1: ±10 %).
    public let jitter: Double
    private let clock: any RuntimeClock
    private var random: any RandomNumberGenerator & Sendable

    /// - Precondition: `period > 0`, `0 <= jitter < 1`.
    public init(
        period: Duration, jitter: Double = 0.1, clock: any RuntimeClock,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        precondition(period > .zero && jitter >= 0 && jitter < 1)
        self.period = period
        self.jitter = jitter
        self.clock = clock
        self.random = random
    }

    /// The next wait: `period × (1 + jitter × u)`, `u` uniform in `[-1, 1)`.
    public mutating func nextDelay() -> Duration {
        guard jitter > 0 else { return period }
        let u = Double.random(in: -1..<1, using: &random)
        let nanos = Double(period.components.seconds) * 1e9 + Double(period.components.attoseconds) / 1e9
        return .nanoseconds(Int64(nanos * (1 + jitter * u)))
    }

    /// Waits one jittered period, calls `tick`, and again, until the task is cancelled.
    public func run(_ tick: @Sendable () -> Void) async {
        var schedule = self
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: clock.now + schedule.nextDelay())
            } catch {
                return
            }
            tick()
        }
    }
}
