import TendRuntime
import TendTesting
import Testing

@Suite("Rate limiters")
struct RateLimiterTests {
    @Test func exponentialDoublesFromFiveMilliseconds() {
        var r = ExponentialRateLimiter<String>()
        #expect(r.when("a") == .milliseconds(5))
        #expect(r.when("a") == .milliseconds(10))
        #expect(r.when("a") == .milliseconds(20))
        #expect(r.when("b") == .milliseconds(5))  // per key
        #expect(r.numRequeues("a") == 3)
        #expect(r.numRequeues("b") == 1)
        r.forget("a")
        #expect(r.numRequeues("a") == 0)
        #expect(r.when("a") == .milliseconds(5))
    }

    @Test func exponentialHitsTheCapAtTheNineteenthFailure() {
        var r = ExponentialRateLimiter<Int>()
        var delays: [Duration] = []
        for _ in 1...25 { delays.append(r.when(1)) }
        #expect(delays[17] == .milliseconds(655_360))  // 18th failure: 5 ms · 2^17
        #expect(delays[18] == .seconds(1000))  // 19th: 5 ms · 2^18 = 1310.72 s > cap
        #expect(delays[17] < .seconds(1000))
        #expect(delays[19...].allSatisfy { $0 == .seconds(1000) })
        // Cumulative wait before the cap: 5 ms · (2^18 − 1) ≈ 21.8 min.
        let beforeCap = delays[..<18].reduce(Duration.zero, +)
        #expect(beforeCap == .milliseconds(5 * ((1 << 18) - 1)))
    }

    @Test func exponentialNeverOverflows() {
        var r = ExponentialRateLimiter<Int>(base: .seconds(1), cap: .seconds(1_000_000_000))
        for _ in 0..<500 { _ = r.when(0) }
        #expect(r.when(0) == .seconds(1_000_000_000))
    }

    @Test func bucketBurstThenTenPerSecond() {
        let clock = ManualClock()
        var b = TokenBucketRateLimiter<Int>(clock: clock)
        var delays: [Duration] = []
        for i in 0..<1000 { delays.append(b.when(i)) }
        #expect(delays[..<100].allSatisfy { $0 == .zero })
        #expect(delays[100] == .milliseconds(100))
        #expect(delays[101] == .milliseconds(200))
        #expect(delays[999] == .seconds(90))  // the 1 000th key waits 90 s
    }

    @Test func bucketRefillsWithTheClock() {
        let clock = ManualClock()
        var b = TokenBucketRateLimiter<Int>(rate: 10, burst: 2, clock: clock)
        #expect(b.when(0) == .zero)
        #expect(b.when(0) == .zero)
        #expect(b.when(0) == .milliseconds(100))
        clock.advance(by: .seconds(1))  // −1 + 10 tokens, capped at the burst of 2
        #expect(b.when(0) == .zero)
        #expect(b.when(0) == .zero)
        #expect(b.when(0) == .milliseconds(100))
        clock.advance(by: .milliseconds(50))  // half a token: the next one is 150 ms away
        #expect(b.when(0) == .milliseconds(150))
        b.forget(0)
        #expect(b.numRequeues(0) == 0)
    }

    @Test func controllerDefaultIsTheMaxOfBoth() {
        let clock = ManualClock()
        var d = MaxOfRateLimiter<Int>.controllerDefault(clock: clock)
        // One key failing: the exponential part dominates; the bucket still has tokens.
        #expect(d.when(7) == .milliseconds(5))
        #expect(d.when(7) == .milliseconds(10))
        #expect(d.numRequeues(7) == 2)
        d.forget(7)
        #expect(d.numRequeues(7) == 0)
        // An error storm: the bucket dominates. Key 7 already took 2 of the 100 burst tokens
        // (forget does not give tokens back), so the 1 000th key waits (1 002 − 100) / 10 s.
        var last = Duration.zero
        for k in 1...1000 { last = d.when(k) }
        #expect(last > .milliseconds(90_199) && last < .milliseconds(90_201))
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFrom800msToThe30sCapWithoutJitter() {
        var config = Backoff.Configuration()
        config.jitter = 0
        var b = Backoff(config)
        var t = RuntimeInstant.zero
        var delays: [Duration] = []
        for _ in 0..<9 {
            let d = b.next(now: t)
            delays.append(d)
            t = t + d
        }
        #expect(delays == [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000].map { Duration.milliseconds($0) })
    }

    @Test func jitterStaysInBandAndIsReproducible() {
        var a = Backoff(random: SplitMix64(seed: 7))
        var b = Backoff(random: SplitMix64(seed: 7))
        var t = RuntimeInstant.zero
        for _ in 0..<20 {
            let base = a.nextBase
            let d = a.next(now: t)
            #expect(d >= base && d < base * 2)
            #expect(b.next(now: t) == d)
            t = t + .seconds(1)
        }
    }

    @Test func resetsAfterTwoHealthyMinutes() {
        var config = Backoff.Configuration()
        config.jitter = 0
        var b = Backoff(config)
        #expect(b.next(now: .zero) == .milliseconds(800))
        #expect(b.next(now: .at(.seconds(1))) == .milliseconds(1600))
        #expect(b.next(now: .at(.seconds(100))) == .milliseconds(3200))  // 99 s since last failure: no reset
        #expect(b.next(now: .at(.seconds(220))) == .milliseconds(800))  // 120 s healthy: reset
        #expect(b.next(now: .at(.seconds(221))) == .milliseconds(1600))
        b.reset()
        #expect(b.next(now: .at(.seconds(222))) == .milliseconds(800))
    }
}
