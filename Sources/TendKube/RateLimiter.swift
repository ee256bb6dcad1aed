import Synchronization

/// Token-bucket arithmetic: `burst` tokens, refilled at `qps` per second; each request takes one.
///
/// Pure: the caller supplies the time. ``reserve(now:)`` always succeeds and returns how long the
/// caller must wait before sending. Tokens may go negative: a reservation made while the bucket
/// is empty is queued behind the earlier ones, so waiting callers are served in order at exactly
/// `qps` (the semantics of Go's `rate.Limiter.Reserve`, which client-go uses).
///
/// The one token bucket of Tend: the client's request limiter below and the work queue's bucket
/// limiter (TendRuntime's `TokenBucketRateLimiter`) both run on it, each on its own clock's instants.
public struct TokenBucket<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    public let qps: Double
    public let burst: Int
    /// Tokens available at ``lastUpdate`` (negative: that many reservations are queued).
    public private(set) var tokens: Double
    public private(set) var lastUpdate: Instant

    /// A full bucket.
    public init(qps: Double, burst: Int, now: Instant) {
        self.qps = qps
        self.burst = max(1, burst)
        self.tokens = Double(max(1, burst))
        self.lastUpdate = now
    }

    /// Takes one token and returns the wait before it may be used (zero when one was available).
    public mutating func reserve(now: Instant) -> Duration {
        guard qps > 0 else { return .zero }
        if now > lastUpdate {
            tokens = min(Double(burst), tokens + lastUpdate.duration(to: now).seconds * qps)
            lastUpdate = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .seconds(-tokens / qps)
    }
}

/// The client's shared limiter: one token bucket for every request the client sends (each retry
/// attempt included). Waits with the injected clock; cancellation ends the wait.
final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket<ContinuousClock.Instant>>
    private let enabled: Bool
    private let clock: KubeClock

    init(_ limit: RateLimit, clock: KubeClock) {
        self.clock = clock
        enabled = limit.qps > 0
        bucket = Mutex(TokenBucket(qps: limit.qps, burst: limit.burst, now: clock.now()))
    }

    /// Waits for a token. Throws `CancellationError` when the task is cancelled while waiting.
    /// Waits for a token.
    /// - Returns: how long it waited (zero when a token was there, or the limit is off).
    @discardableResult
    func acquire() async throws -> Duration {
        guard enabled else { return .zero }
        let now = clock.now()
        let wait = bucket.withLock { $0.reserve(now: now) }
        if wait > .zero { try await clock.sleep(wait) }
        return max(wait, .zero)
    }
}
