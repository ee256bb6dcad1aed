/// Per-key exponential backoff (client-go `ItemExponentialFailureRateLimiter`).
///
/// The n-th consecutive failure of a key waits `base · 2^(n-1)`, capped at `cap`: with the defaults
/// (5 ms, 1000 s) the delays are 5 ms, 10 ms, 20 ms, … and the 19th failure is the first to hit the
/// cap (5 ms · 2^18 = 1310.72 s > 1000 s). The cumulative wait before the cap is about 21.8 min.
/// Memory: one dictionary entry per key that has failed and not been forgotten.
public struct ExponentialRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public var base: Duration
    public var cap: Duration
    private var failures: [Key: Int] = [:]

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        precondition(base > .zero && cap >= base, "need 0 < base <= cap")
        self.base = base
        self.cap = cap
    }

    public mutating func when(_ key: Key) -> Duration {
        let previous = failures[key, default: 0]
        failures[key] = previous + 1
        return Self.delay(base: base, cap: cap, exponent: previous)
    }

    public mutating func forget(_ key: Key) { failures[key] = nil }

    public func numRequeues(_ key: Key) -> Int { failures[key, default: 0] }

    /// `base · 2^exponent`, capped; never overflows.
    package static func delay(base: Duration, cap: Duration, exponent: Int) -> Duration {
        // Compare in floating point first so the exact integer product is only formed when it is
        // below the cap (and therefore far from overflowing Duration's 128-bit representation).
        guard exponent < 62, base.seconds * Double(UInt64(1) << exponent) < cap.seconds else { return cap }
        return min(cap, base * (1 << exponent))
    }
}
