import Testing
import TendRuntime
import TendTesting

/// The periodic resync on a manual clock: keys are queued again after each jittered period, never
/// before, through the work queue.
@Suite struct PeriodicResyncTests {
    /// Polls (yielding) until `condition` holds; real time is only a safety bound.
    func until(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    /// Hands out and completes every ready key; returns them sorted.
    func drain(_ queue: WorkQueue<String>) async -> [String] {
        var seen: [String] = []
        while queue.count > 0, let key = await queue.next() {
            seen.append(key)
            queue.done(key)
        }
        return seen.sorted()
    }

    @Test func keysAreRequeuedAfterEachPeriodAndNotBefore() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let period: Duration = .seconds(3600)
        let keys = ["default/a", "default/b", "team/c"]
        let resync = PeriodicResync(period: period, clock: clock, random: SplitMix64(seed: 7))
        let running = Task { await resync.run { for k in keys { queue.add(k) } } }
        defer { running.cancel() }

        var last = RuntimeInstant.zero
        for round in 1...3 {
            #expect(await until { clock.sleeperDeadlines.count == 1 }, "round \(round): the resync armed its timer")
            let deadline = try #require(clock.sleeperDeadlines.first)
            let wait = deadline - last
            #expect(wait >= period * 0.9 && wait < period * 1.1, "round \(round): wait \(wait) outside ±10%")
            // Just before the deadline: nothing queued.
            clock.advance(to: deadline - .milliseconds(1))
            try await Task.sleep(for: .milliseconds(50))
            #expect(queue.count == 0, "round \(round): requeued before the period passed")
            // At the deadline: every key, once, through the queue.
            clock.advance(to: deadline)
            #expect(await until { queue.count == keys.count }, "round \(round): keys requeued")
            #expect(await drain(queue) == keys)
            last = deadline
        }
    }

    @Test func waitsAreJitteredWithinTenPercent() {
        var resync = PeriodicResync(period: .seconds(36000), clock: ManualClock(), random: SplitMix64(seed: 42))
        let waits = (0..<2000).map { _ in resync.nextDelay() }
        let low = Duration.seconds(32400), high = Duration.seconds(39600)
        #expect(waits.allSatisfy { $0 >= low && $0 < high })
        // Spread over the whole band, not stuck at the period.
        #expect(waits.min()! < .seconds(33000) && waits.max()! > .seconds(39000))
        var exact = PeriodicResync(period: .seconds(10), jitter: 0, clock: ManualClock())
        #expect(exact.nextDelay() == .seconds(10))
    }

    @Test func cancellingStopsTheResyncPromptly() async {
        let clock = ManualClock()
        let resync = PeriodicResync(period: .seconds(60), clock: clock)
        let running = Task { await resync.run { Issue.record("ticked after cancellation") } }
        _ = await until { clock.sleeperCount == 1 }
        running.cancel()
        await running.value
        clock.advance(by: .seconds(3600))
    }
}
