import TendKube

/// A token bucket shared by all keys (client-go `BucketRateLimiter` over `rate.Limiter`).
///
/// The bucket holds up to `burst` tokens and refills at `rate` tokens per second of the injected
/// clock. Each ``when(_:)`` reserves one token: zero delay while tokens remain, otherwise the time
/// until the reserved token will have been refilled. Reservations can run ahead of time (the token
/// count goes negative), so `k` calls at the same instant on a full bucket return
/// `max(0, (k - burst) / rate)` for the k-th call — 1 000 keys with 10/s, burst 100: the 1 000th waits 90 s.
///
/// The bucket keeps no per-key state: ``forget(_:)`` does nothing and ``numRequeues(_:)`` is 0.
public struct TokenBucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public var rate: Double { bucket.qps }
    public var burst: Int { bucket.burst }
    private let clock: any RuntimeClock
    /// The arithmetic, shared with the API client's request limiter (TendKube's ``TokenBucket``).
    private var bucket: TokenBucket<RuntimeInstant>

    /// - Parameters:
    ///   - rate: tokens per second (> 0).
    ///   - burst: bucket capacity; the bucket starts full.
    public init(rate: Double = 10, burst: Int = 100, clock: any RuntimeClock) {
        precondition(rate > 0 && burst > 0, "need rate > 0 and burst > 0")
        self.clock = clock
        self.bucket = TokenBucket(qps: rate, burst: burst, now: clock.now)
    }

    public mutating func when(_ key: Key) -> Duration {
        bucket.reserve(now: clock.now)
    }

    public mutating func forget(_ key: Key) {}

    public func numRequeues(_ key: Key) -> Int { 0 }
}
