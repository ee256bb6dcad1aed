/// Decides how long a failing key waits before its next attempt (client-go `TypedRateLimiter`).
///
/// Limiters are values: the ``WorkQueue`` owns one (never share one between queues — a shared
/// limiter's `forget` from one queue erases another queue's failures) and calls it under its lock.
///
/// Contract:
/// - ``when(_:)`` records one more failure of `key` and returns the delay before retrying it.
///   A limiter that meters time (``TokenBucketRateLimiter``) reserves capacity: the delay it returns
///   is the time until the reserved token becomes available.
/// - ``forget(_:)`` clears the per-key state; call it when the key succeeded or was deleted, or the
///   failure map grows forever (kubernetes/kubernetes PR #138743).
/// - ``numRequeues(_:)`` is the number of failures recorded since the last `forget`.
public protocol RateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable
    mutating func when(_ key: Key) -> Duration
    mutating func forget(_ key: Key)
    func numRequeues(_ key: Key) -> Int
}

/// The maximum of several limiters' delays (client-go `MaxOfRateLimiter`).
///
/// Every limiter sees every call, so each keeps its own state (a bucket reserves a token even when
/// the per-key delay is longer). ``numRequeues(_:)`` is the maximum over the limiters.
public struct MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public var limiters: [any RateLimiter<Key>]

    public init(_ limiters: [any RateLimiter<Key>]) { self.limiters = limiters }

    public mutating func when(_ key: Key) -> Duration {
        var delay = Duration.zero
        for i in limiters.indices { delay = max(delay, limiters[i].when(key)) }
        return delay
    }

    public mutating func forget(_ key: Key) {
        for i in limiters.indices { limiters[i].forget(key) }
    }

    public func numRequeues(_ key: Key) -> Int {
        limiters.map { $0.numRequeues(key) }.max() ?? 0
    }
}

extension MaxOfRateLimiter {
    /// client-go's `DefaultControllerRateLimiter`: the maximum of a per-key exponential limiter
    /// (5 ms doubling, capped at 1000 s) and a shared token bucket (10 per second, burst 100).
    ///
    /// The per-key part spaces one key's retries; the bucket bounds the total retry rate after an
    /// error storm (1 000 failing keys: the 1 000th waits about 90 s).
    public static func controllerDefault(clock: any RuntimeClock) -> MaxOfRateLimiter<Key> {
        MaxOfRateLimiter([
            ExponentialRateLimiter<Key>(),
            TokenBucketRateLimiter<Key>(clock: clock),
        ])
    }
}
