import Logging
import TendMeta
import TendRuntime
import TendTesting
import Testing

struct Failure: Error {}

/// Records reconcile calls (key and clock time) and answers from a per-call script.
final class FakeReconciler: Sendable {
    let clock: ManualClock
    let calls = Locked<[(key: String, at: RuntimeInstant)]>([])
    let script: @Sendable (String, Int) async throws -> ReconcileResult

    init(clock: ManualClock, script: @escaping @Sendable (String, Int) async throws -> ReconcileResult) {
        self.clock = clock
        self.script = script
    }

    func reconcile(_ key: String) async throws -> ReconcileResult {
        let n = calls.withLock { c in
            c.append((key, clock.now))
            return c.filter { $0.key == key }.count
        }
        return try await script(key, n)
    }

    var count: Int { calls.value.count }
    var times: [RuntimeInstant] { calls.value.map(\.at) }
}

func makeController(
    _ clock: ManualClock, workers: Int = 1, grace: Duration = .seconds(30), _ fake: FakeReconciler
) -> Controller<String> {
    var config = Controller<String>.Configuration()
    config.workers = workers
    config.gracePeriod = grace
    return Controller(
        queue: WorkQueue(clock: clock), configuration: config, logger: Logger(label: "test"),
        reconcile: { try await fake.reconcile($0) })
}

@Suite("Controller")
struct ControllerTests {
    @Test func errorsRetryWithPerKeyBackoffThenSucceed() async {
        let clock = ManualClock()
        let fake = FakeReconciler(clock: clock) { _, n in
            if n <= 3 { throw Failure() }
            return .done
        }
        let c = makeController(clock, fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("a")
            for (attempt, delay) in [(1, 5), (2, 10), (3, 20)] {
                await eventually("failure \(attempt) scheduled") { fake.count == attempt && c.queue.delayedCount == 1 }
                clock.advance(by: .ms(delay - 1))
                #expect(c.queue.delayedCount == 1, "not due 1 ms early")
                clock.advance(by: .ms(1))
                await eventually("attempt \(attempt + 1)") { fake.count == attempt + 1 }
            }
            await eventually("success processed") { c.queue.processingCount == 0 }
            #expect(fake.times == [.zero, .at(.ms(5)), .at(.ms(15)), .at(.ms(35))])
            #expect(c.queue.numRequeues("a") == 0)  // forgotten on success
            #expect(c.queue.delayedCount == 0)
            c.shutDown()
        }
    }

    @Test func terminalErrorIsNotRetried() async {
        let clock = ManualClock()
        let fake = FakeReconciler(clock: clock) { _, _ in throw TerminalError(Failure()) }
        let c = makeController(clock, fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("a")
            await eventually("reconciled") { fake.count == 1 && c.queue.processingCount == 0 }
            clock.advance(by: .seconds(2000))
            #expect(c.queue.delayedCount == 0)
            #expect(c.queue.count == 0)
            #expect(c.queue.numRequeues("a") == 0)
            #expect(fake.count == 1)
            c.queue.add("a")  // an event still re-adds it
            await eventually("reconciled again") { fake.count == 2 }
            c.shutDown()
        }
    }

    @Test func requeueAfterRunsAgainAtThatTime() async {
        let clock = ManualClock()
        let fake = FakeReconciler(clock: clock) { _, n in n == 1 ? .requeue(after: .seconds(10)) : .done }
        let c = makeController(clock, fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("a")
            await eventually("requeued") { fake.count == 1 && c.queue.delayedCount == 1 }
            clock.advance(by: .ms(9999))
            #expect(c.queue.delayedCount == 1)
            clock.advance(by: .ms(1))
            await eventually("second run") { fake.count == 2 }
            #expect(fake.times == [.zero, .at(.seconds(10))])
            c.shutDown()
        }
    }

    @Test func workersNeverReconcileOneKeyConcurrently() async {
        let clock = ManualClock()
        let inFlight = Locked<Set<String>>([])
        let overlap = Locked(0)
        let maxParallel = Locked(0)
        let fake = FakeReconciler(clock: clock) { key, _ in
            let fresh = inFlight.withLock { s in
                let inserted = s.insert(key).inserted
                maxParallel.withLock { $0 = max($0, s.count) }
                return inserted
            }
            if !fresh { overlap.withLock { $0 += 1 } }
            for _ in 0..<5 { await Task.yield() }
            inFlight.withLock { _ = $0.remove(key) }
            return .done
        }
        let c = makeController(clock, workers: 4, fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            for round in 0..<200 {
                c.queue.add("k\(round % 3)")
                if round % 10 == 0 { await Task.yield() }
            }
            await eventually("queue idle") { c.queue.count == 0 && c.queue.processingCount == 0 }
            c.shutDown()
        }
        #expect(overlap.value == 0)
        #expect(fake.count >= 3)
        #expect(maxParallel.value <= 3)
    }

    @Test func shutdownLetsInFlightReconcilesFinishAndStartsNoNewOnes() async {
        let clock = ManualClock()
        let gate = Locked<CheckedContinuation<Void, Never>?>(nil)
        let finished = Locked(false)
        let fake = FakeReconciler(clock: clock) { key, _ in
            if key == "slow" {
                await withCheckedContinuation { c in gate.withLock { $0 = c } }
                finished.withLock { $0 = true }
            }
            return .done
        }
        let c = makeController(clock, workers: 1, fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("slow")
            c.queue.add("queued")
            await eventually("slow in flight") { gate.value != nil }
            c.shutDown()
            c.queue.add("late")
            gate.withLock { $0 }!.resume()
            await group.waitForAll()
        }
        #expect(finished.value)
        #expect(fake.calls.value.map(\.key) == ["slow"])  // "queued" and "late" never started
    }

    @Test func gracePeriodCancelsStuckReconciles() async {
        let clock = ManualClock()
        let sawCancellation = Locked(false)
        let fake = FakeReconciler(clock: clock) { _, _ in
            do {
                try await clock.sleep(for: .seconds(3600))
            } catch {
                sawCancellation.withLock { $0 = true }
                throw error
            }
            return .done
        }
        let c = makeController(clock, grace: .seconds(5), fake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("stuck")
            await eventually("stuck reconcile sleeping") { fake.count == 1 && clock.sleeperDeadlines.contains(.at(.seconds(3600))) }
            c.shutDown()
            await eventually("grace timer armed") { clock.sleeperDeadlines.contains(.at(.seconds(5))) }
            clock.advance(by: .seconds(5))
            await group.waitForAll()
        }
        #expect(sawCancellation.value)
        #expect(c.queue.numRequeues("stuck") == 0)  // a cancelled reconcile is not retried
    }

    @Test func cancellingRunIsAHardStop() async {
        let clock = ManualClock()
        let fake = FakeReconciler(clock: clock) { _, _ in
            try await clock.sleep(for: .seconds(3600))
            return .done
        }
        let c = makeController(clock, fake)
        let task = Task { await c.run() }
        c.queue.add("a")
        await eventually("in flight") { fake.count == 1 }
        task.cancel()
        await task.value
        #expect(c.queue.isShuttingDown)
    }
}

@Suite("ShardFilter")
struct ShardFilterTests {
    @Test func fnv1aKnownVectors() {
        #expect(ShardFilter.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(ShardFilter.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(ShardFilter.fnv1a64("foobar") == 0x85944171f73967e8)
    }

    @Test func assignmentIsStable() {
        // Pinned (computed independently): these must never change, or replicas of different
        // versions would disagree about ownership.
        #expect(ShardFilter.fnv1a64("default/web") == 0x9d2b_a508_24d6_34bb)
        #expect(ShardFilter.shard(of: ObjectKey(namespace: "default", name: "web"), shards: 10) == 7)
        #expect(ShardFilter.shard(of: ObjectKey(name: "node-1"), shards: 4) == 3)
        #expect(ShardFilter.shard(of: ObjectKey(namespace: "kube-system", name: "coredns"), shards: 10) == 7)
    }

    @Test(arguments: [2, 3, 4, 7, 10])
    func shardsPartitionKeysDisjointlyAndEvenly(shards: Int) {
        let keys = (0..<10_000).map { ObjectKey(namespace: "ns-\($0 % 37)", name: "object-\($0)") }
        let filters = (0..<shards).map { ShardFilter(shards: shards, index: $0) }
        var sizes = Array(repeating: 0, count: shards)
        for key in keys {
            let owners = filters.filter { $0.owns(key) }
            #expect(owners.count == 1)
            sizes[owners[0].index] += 1
        }
        let expected = Double(keys.count) / Double(shards)
        for size in sizes { #expect(abs(Double(size) - expected) <= expected * 0.1, "\(sizes)") }
    }
}
