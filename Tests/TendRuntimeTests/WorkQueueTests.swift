import Synchronization
import TendRuntime
import TendTesting
import Testing

@Suite("WorkQueue (async, manual clock)")
struct WorkQueueTests {
    @Test func handsOutReadyKeysInOrder() async {
        let q = WorkQueue<String>(clock: ManualClock())
        q.add("a")
        q.add("b")
        q.add("a")
        #expect(q.count == 2)
        #expect(await q.next() == "a")
        #expect(await q.next() == "b")
        q.done("a")
        q.done("b")
        #expect(q.processingCount == 0)
    }

    @Test func suspendedWorkerGetsALaterAdd() async {
        let q = WorkQueue<String>(clock: ManualClock())
        async let got = q.next()
        await eventually("worker waiting") { q.processingCount == 0 && q.count == 0 }
        q.add("x")
        #expect(await got == "x")
        #expect(q.processingCount == 1)
    }

    @Test func reAddDuringProcessingRunsAgainAfterDone() async {
        let q = WorkQueue<String>(clock: ManualClock())
        q.add("a")
        let a = await q.next()
        #expect(a == "a")
        q.add("a")
        #expect(q.count == 0)  // not handed to a second worker
        q.done("a")
        #expect(q.count == 1)
        #expect(await q.next() == "a")
    }

    @Test func delayedAddIsReadyExactlyAtTheDeadline() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        q.add("a", after: .seconds(2))
        q.add("a", after: .seconds(5))  // later duplicate ignored
        #expect(q.count == 0)
        #expect(q.delayedCount == 1)
        clock.advance(by: .ms(1999))
        #expect(q.count == 0)
        clock.advance(by: .ms(1))
        #expect(q.count == 1)
        #expect(await q.next() == "a")
    }

    @Test func runWakesASuspendedWorkerAtTheDeadline() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await q.run() }
            q.add("late", after: .seconds(10))
            q.add("soon", after: .seconds(1))  // earlier deadline re-arms the timer
            await eventually("timer armed at 1 s") { clock.sleeperDeadlines == [.at(.seconds(1))] }
            async let first = q.next()
            clock.advance(by: .seconds(1))
            #expect(await first == "soon")
            await eventually("timer re-armed at 10 s") { clock.sleeperDeadlines == [.at(.seconds(10))] }
            async let second = q.next()
            clock.advance(by: .seconds(9))
            #expect(await second == "late")
            q.shutDown()
            await group.waitForAll()
        }
    }

    @Test func rateLimitedAddsBackOffPerKey() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        q.addRateLimited("a")
        #expect(q.numRequeues("a") == 1)
        clock.advance(by: .ms(4))
        #expect(q.count == 0)
        clock.advance(by: .ms(1))
        #expect(q.count == 1)
        let a = await q.next()!
        q.addRateLimited(a)
        q.done(a)
        clock.advance(by: .ms(9))
        #expect(q.count == 0)
        clock.advance(by: .ms(1))
        #expect(q.count == 1)
        q.forget("a")
        #expect(q.numRequeues("a") == 0)
    }

    @Test func shutDownWakesEveryWaiterWithNil() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<3 { group.addTask { await q.next() } }
            await Task.yield()
            q.shutDown()
            for await r in group { #expect(r == nil) }
        }
        q.add(1)
        #expect(q.count == 0)
        #expect(await q.next() == nil)
    }

    @Test func cancelledWaiterReturnsNil() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        let t = Task { await q.next() }
        await Task.yield()
        t.cancel()
        #expect(await t.value == nil)
        q.add(1)  // the key is not lost to the cancelled waiter
        #expect(await q.next() == 1)
    }

    @Test func shutDownWithDrainWaitsForInFlightKeys() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        q.add(1)
        q.add(2)
        let k = await q.next()!
        let drained = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await q.shutDownWithDrain()
                drained.withLock { $0 = true }
            }
            await eventually("shut down") { q.isShuttingDown }
            #expect(await q.next() == nil)  // queued key 2 is not handed out after shutdown
            for _ in 0..<100 { await Task.yield() }
            #expect(!drained.withLock { $0 })
            q.done(k)
            await group.waitForAll()
        }
        #expect(drained.withLock { $0 })
    }

    @Test func concurrentWorkersNeverShareAKey() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        let inFlight = Locked<Set<Int>>([])
        let violations = Locked(0)
        let processed = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let k = await q.next() {
                        let fresh = inFlight.withLock { $0.insert(k).inserted }
                        if !fresh { violations.withLock { $0 += 1 } }
                        await Task.yield()
                        q.add(k % 7 == 0 ? k : (k + 1) % 20)  // re-add while processing
                        inFlight.withLock { _ = $0.remove(k) }
                        processed.withLock { $0 += 1 }
                        q.done(k)
                    }
                }
            }
            for k in 0..<20 { q.add(k) }
            await eventually("2 000 keys processed", attempts: 1_000_000) { processed.withLock { $0 } >= 2000 }
            q.shutDown()
        }
        #expect(violations.withLock { $0 } == 0)
    }
}

@Suite("ManualClock")
struct ManualClockTests {
    @Test func wakesSleepersInDeadlineOrder() async throws {
        let clock = ManualClock()
        let order = Locked<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, s) in [3, 1, 2].enumerated() {
                group.addTask {
                    try await clock.sleep(for: .seconds(s))
                    order.withLock { $0.append(i) }
                }
            }
            await eventually("3 sleepers") { clock.sleeperCount == 3 }
            clock.advance(by: .seconds(1))
            await eventually("first woke") { order.withLock { $0 } == [1] }
            clock.advance(by: .seconds(5))
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 }.sorted() == [0, 1, 2])
        #expect(clock.now == .at(.seconds(6)))
    }

    @Test func pastDeadlineReturnsAtOnceAndCancellationThrows() async {
        let clock = ManualClock(now: .at(.seconds(5)))
        await #expect(throws: Never.self) { try await clock.sleep(until: .at(.seconds(1))) }
        let t = Task { try await clock.sleep(for: .seconds(100)) }
        await eventually("sleeping") { clock.sleeperCount == 1 }
        t.cancel()
        await #expect(throws: CancellationError.self) { try await t.value }
        #expect(clock.sleeperCount == 0)
    }
}
