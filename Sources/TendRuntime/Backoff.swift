/// Exponential backoff with jitter and a reset after a healthy period: the schedule client-go's
/// reflector and kube-rs's watcher use between watch/list retries.
///
/// Defaults (client-go `reflector.go`, kube-rs `watcher.rs` `default_backoff`): the base delay
/// starts at 800 ms, doubles after every failure and is capped at 30 s; each returned delay is the
/// base plus a random jitter in `[0, jitter × base)` (jitter 1.0, so at the cap the delays are
/// spread over 30–60 s and reconnect storms de-synchronise). When no failure has been reported for
/// `resetAfter` (2 min), the next failure starts over at 800 ms. With the apiserver down, one
/// watcher retries about every 45 s on average once capped.
///
/// A pure value: time comes in as `now`, randomness from the injected generator (seed
/// ``SplitMix64`` in tests for reproducible jitter).
public struct Backoff: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var initial: Duration = .milliseconds(800)
        public var factor: Int = 2
        public var cap: Duration = .seconds(30)
        /// Fraction of the base delay added at random; 0 disables jitter.
        public var jitter: Double = 1.0
        /// Failure-free time after which the schedule starts over.
        public var resetAfter: Duration = .seconds(120)

        public init() {}
    }

    public let configuration: Configuration
    private var random: any RandomNumberGenerator & Sendable
    private var base: Duration
    private var lastFailure: RuntimeInstant?

    public init(
        _ configuration: Configuration = Configuration(),
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        precondition(configuration.initial > .zero && configuration.factor >= 1 && configuration.jitter >= 0)
        self.configuration = configuration
        self.random = random
        self.base = configuration.initial
    }

    /// The base delay the next failure will use (before jitter).
    public var nextBase: Duration { base }

    /// Records a failure at `now` and returns how long to wait before retrying.
    public mutating func next(now: RuntimeInstant) -> Duration {
        if let last = lastFailure, now - last >= configuration.resetAfter { base = configuration.initial }
        lastFailure = now
        let current = base
        base = min(configuration.cap, current * configuration.factor)
        guard configuration.jitter > 0 else { return current }
        let r = Double.random(in: 0..<1, using: &random)
        return current + .nanoseconds(Int64(Double(current.nanoseconds) * configuration.jitter * r))
    }

    /// Starts the schedule over (for example after a watch has been healthy for a while).
    public mutating func reset() {
        base = configuration.initial
        lastFailure = nil
    }
}
