public import Foundation

/// Time as the client sees it: a monotonic clock, the wall clock, and a way to wait.
///
/// Injected so tests of retries, rate limits and credential expiry never sleep for real:
/// ``KubeClient/Options/clock``. ``system`` is the real thing.
public struct KubeClock: Sendable {
    /// Monotonic now (backoff, rate limit, refresh intervals).
    public var now: @Sendable () -> ContinuousClock.Instant
    /// Wall-clock now (credential expiry timestamps).
    public var wallTime: @Sendable () -> Date
    /// Waits `duration`; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant,
        wallTime: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.wallTime = wallTime
        self.sleep = sleep
    }

    /// The real clocks; `sleep` is `Task.sleep`.
    public static let system = KubeClock(
        now: { ContinuousClock.now },
        wallTime: { Date() },
        sleep: { duration in try await Task.sleep(for: duration) })
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
