import Testing
import TendHTTP
@testable import TendKube

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), jitter: 0.5,
                             maxElapsed: .seconds(10), maxRetryAfter: .seconds(5))

    func decide(_ f: RetryPolicy.Failure, attempt: Int = 1, elapsed: Duration = .zero, idempotent: Bool = true) -> RetryPolicy.Decision {
        policy.decide(f, attempt: attempt, elapsed: elapsed, idempotent: idempotent, random: 0)
    }

    @Test(arguments: [
        // (failure, idempotent, retried)
        (RetryPolicy.Failure.transport(.connectFailed), true, true),
        (.transport(.connectFailed), false, true),
        (.transport(.tlsFailed(.other)), false, true),
        (.transport(.tlsFailed(.certificateVerifyFailed)), true, false),
        (.transport(.timedOut), true, true),
        (.transport(.timedOut), false, false),
        (.transport(.idleTimeout), true, true),
        (.transport(.transport), true, true),
        (.transport(.transport), false, false),
        (.transport(.cancelled), true, false),
        (.transport(.shutdown), true, false),
        (.transport(.invalidRequest), true, false),
        (.status(500, retryAfter: nil), true, true),
        (.status(500, retryAfter: nil), false, false),
        (.status(502, retryAfter: nil), true, true),
        (.status(503, retryAfter: nil), true, true),
        (.status(504, retryAfter: nil), true, true),
        (.status(501, retryAfter: nil), true, false),
        (.status(429, retryAfter: nil), true, true),
        (.status(429, retryAfter: .seconds(1)), false, true),
        (.status(400, retryAfter: nil), true, false),
        (.status(401, retryAfter: nil), true, false),
        (.status(403, retryAfter: nil), true, false),
        (.status(404, retryAfter: nil), true, false),
        (.status(409, retryAfter: nil), true, false),
        (.status(410, retryAfter: nil), true, false),
        (.status(422, retryAfter: nil), true, false),
    ])
    func table(failure: RetryPolicy.Failure, idempotent: Bool, retried: Bool) {
        let d = decide(failure, idempotent: idempotent)
        #expect((d != .fail) == retried, "\(failure) idempotent=\(idempotent): \(d)")
    }

    @Test func exponentialBackoffCappedWithJitter() {
        #expect(policy.backoff(attempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.backoff(attempt: 2, random: 0) == .milliseconds(200))
        #expect(policy.backoff(attempt: 3, random: 0) == .milliseconds(400))
        #expect(policy.backoff(attempt: 5, random: 0) == .seconds(1))
        #expect(policy.backoff(attempt: 40, random: 0) == .seconds(1))
        #expect(policy.backoff(attempt: 1, random: 1) == .milliseconds(150))
        #expect(policy.backoff(attempt: 5, random: 0.5) == .milliseconds(1250))
    }

    @Test func boundedInCountAndTime() {
        #expect(decide(.status(503, retryAfter: nil), attempt: 3) == .retry(after: .milliseconds(400)))
        #expect(decide(.status(503, retryAfter: nil), attempt: 4) == .fail)
        #expect(decide(.status(503, retryAfter: nil), attempt: 1, elapsed: .milliseconds(9950)) == .fail)
        #expect(decide(.status(503, retryAfter: nil), attempt: 1, elapsed: .milliseconds(9900)) == .retry(after: .milliseconds(100)))
        #expect(RetryPolicy.none.decide(.transport(.connectFailed), attempt: 1, elapsed: .zero, idempotent: true, random: 0) == .fail)
    }

    @Test func tooManyRequestsWaitsRetryAfter() {
        #expect(decide(.status(429, retryAfter: .seconds(3)), idempotent: false) == .retry(after: .seconds(3)))
        #expect(decide(.status(429, retryAfter: .seconds(6))) == .fail, "longer than maxRetryAfter")
        #expect(decide(.status(429, retryAfter: nil), attempt: 2) == .retry(after: .milliseconds(200)))
        #expect(decide(.status(503, retryAfter: .seconds(2))) == .retry(after: .seconds(2)))
        #expect(decide(.status(429, retryAfter: .seconds(3)), elapsed: .seconds(8)) == .fail, "would end after maxElapsed")
    }

    @Test func retryAfterHeaderParsing() {
        #expect(RetryPolicy.retryAfter(header: "7") == .seconds(7))
        #expect(RetryPolicy.retryAfter(header: " 0 ") == .zero)
        #expect(RetryPolicy.retryAfter(header: "Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.retryAfter(header: "-1") == nil)
        #expect(RetryPolicy.retryAfter(header: nil) == nil)
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(qps: 10, burst: 3, now: t0)
        #expect(bucket.reserve(now: t0) == .zero)
        #expect(bucket.reserve(now: t0) == .zero)
        #expect(bucket.reserve(now: t0) == .zero)
        // Empty: queued reservations wait 100 ms, 200 ms, ... in order.
        #expect(bucket.reserve(now: t0) == .milliseconds(100))
        #expect(bucket.reserve(now: t0) == .milliseconds(200))
        // 500 ms later: 5 tokens refilled, 2 owed → 3 available; never more than burst.
        let t1 = t0 + .milliseconds(500)
        #expect(bucket.reserve(now: t1) == .zero)
        #expect(bucket.reserve(now: t1) == .zero)
        #expect(bucket.reserve(now: t1) == .zero)
        #expect(bucket.reserve(now: t1) == .milliseconds(100))
        let t2 = t1 + .seconds(100)
        #expect(bucket.reserve(now: t2) == .zero)
        #expect(abs(bucket.tokens - 2) < 1e-9, "refill is capped at burst")
    }

    @Test func zeroQPSIsUnlimited() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(qps: 0, burst: 1, now: t0)
        for _ in 0..<1000 { #expect(bucket.reserve(now: t0) == .zero) }
    }

    @Test func limiterSleepsOnTheInjectedClock() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(RateLimit(qps: 5, burst: 2), clock: clock.kubeClock)
        for _ in 0..<5 { try await limiter.acquire() }
        // 2 from the burst; then each waits for its token: 200 ms each, the clock advancing as it sleeps.
        #expect(clock.sleeps == [.milliseconds(200), .milliseconds(200), .milliseconds(200)])
        #expect(RateLimit.default == RateLimit(qps: 50, burst: 100))
    }
}
