/// A point on a monotonic timeline, measured from an origin chosen by its ``RuntimeClock``.
///
/// Instants from different clocks are not comparable. They never jump with the wall clock:
/// timers, backoff and lease expiry in the runtime are all measured on this timeline, so a
/// wall-clock step of ±1 h changes nothing (reliability anchor C4 #20).
public struct RuntimeInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Time since the clock's origin.
    public var offset: Duration

    public init(offset: Duration) { self.offset = offset }

    /// The origin of a clock's timeline.
    public static let zero = RuntimeInstant(offset: .zero)

    public static func < (lhs: RuntimeInstant, rhs: RuntimeInstant) -> Bool { lhs.offset < rhs.offset }
    public static func + (lhs: RuntimeInstant, rhs: Duration) -> RuntimeInstant {
        RuntimeInstant(offset: lhs.offset + rhs)
    }
    public static func - (lhs: RuntimeInstant, rhs: Duration) -> RuntimeInstant {
        RuntimeInstant(offset: lhs.offset - rhs)
    }
    public static func - (lhs: RuntimeInstant, rhs: RuntimeInstant) -> Duration { lhs.offset - rhs.offset }

    public var description: String { "T+\(offset)" }
}

extension RuntimeInstant: InstantProtocol {
    public func advanced(by duration: Duration) -> RuntimeInstant { self + duration }
    public func duration(to other: RuntimeInstant) -> Duration { other - self }
}

/// The source of time for every timer-driven part of the runtime.
///
/// Components take a clock instead of reading the system time, so tests drive them with
/// `ManualClock` (TendTesting) and never sleep for real.
///
/// Contract:
/// - ``now`` is monotonic: successive reads never decrease.
/// - ``sleep(until:)`` returns once `now >= deadline` (immediately when the deadline has passed)
///   and throws `CancellationError` promptly when the calling task is cancelled.
public protocol RuntimeClock: Sendable {
    var now: RuntimeInstant { get }
    func sleep(until deadline: RuntimeInstant) async throws
}

extension RuntimeClock {
    /// Sleeps for `duration` from ``now``.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The production clock: Swift's `ContinuousClock` (monotonic, keeps counting while the machine sleeps),
/// with its origin at the moment the clock was created.
public struct SystemClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public var now: RuntimeInstant { RuntimeInstant(offset: ContinuousClock.now - origin) }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try await ContinuousClock().sleep(until: origin + deadline.offset, tolerance: nil)
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (exact to about a nanosecond for durations under a year).
    package var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// The duration in whole nanoseconds, rounded toward zero.
    package var nanoseconds: Int64 {
        let c = components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
