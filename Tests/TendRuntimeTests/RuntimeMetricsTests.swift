import CoreMetrics
import Logging
import MetricsTestKit
import TendRuntime
import TendTesting
import Testing

/// Work queue and controller metrics, recorded into an isolated `TestMetrics` factory per test
/// (never the global `MetricsSystem`), with a manual clock so durations are exact.
@Suite("Runtime metrics")
struct RuntimeMetricsTests {
    static let rule = [("rule", "r")]

    @Test func queueCountsAddsOnceAndTimesQueueAndWork() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock, metrics: WorkQueueMetrics(dimensions: Self.rule, factory: metrics))
        q.add("a")
        q.add("a")  // already queued: not an add
        q.add("b")
        #expect(try metrics.expectCounter(WorkQueueMetrics.addsName, Self.rule).totalValue == 2)
        #expect(try metrics.expectGauge(WorkQueueMetrics.depthName, Self.rule).lastValue == 2)

        clock.advance(by: .ms(30))
        let a = await q.next()
        #expect(a == "a")
        #expect(try metrics.expectGauge(WorkQueueMetrics.depthName, Self.rule).lastValue == 1)
        #expect(try metrics.expectTimer(WorkQueueMetrics.queueDurationName, Self.rule).values == [30_000_000])
        q.add("a")  // while processing: an add, queued again after done
        clock.advance(by: .ms(5))
        q.done("a")
        #expect(try metrics.expectTimer(WorkQueueMetrics.workDurationName, Self.rule).values == [5_000_000])
        #expect(try metrics.expectCounter(WorkQueueMetrics.addsName, Self.rule).totalValue == 3)
        #expect(try metrics.expectGauge(WorkQueueMetrics.depthName, Self.rule).lastValue == 2)

        // A delayed add counts when it falls due; its queue time starts then.
        q.add("c", after: .ms(100))
        #expect(try metrics.expectCounter(WorkQueueMetrics.addsName, Self.rule).totalValue == 3)
        clock.advance(by: .ms(100))
        #expect(q.count == 3)
        #expect(try metrics.expectCounter(WorkQueueMetrics.addsName, Self.rule).totalValue == 4)
        #expect(try metrics.expectGauge(WorkQueueMetrics.depthName, Self.rule).lastValue == 3)

        q.addRateLimited("d")
        #expect(try metrics.expectCounter(WorkQueueMetrics.retriesName, Self.rule).totalValue == 1)
        q.shutDown()
        #expect(try metrics.expectGauge(WorkQueueMetrics.depthName, Self.rule).lastValue == 0)
    }

    @Test func aFailingReconcileCountsAnErrorAndARetryThenASuccess() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let fake = FakeReconciler(clock: clock) { _, n in
            clock.advance(by: .ms(2))  // the reconcile takes 2 ms
            if n == 1 { throw Failure() }
            return n == 2 ? .requeue(after: .seconds(1)) : .done
        }
        let c = Controller(
            queue: WorkQueue(clock: clock, metrics: WorkQueueMetrics(dimensions: Self.rule, factory: metrics)),
            logger: Logger(label: "test"), metrics: ControllerMetrics(dimensions: Self.rule, factory: metrics),
            reconcile: { try await fake.reconcile($0) })
        func total(_ result: String) throws -> Int64 {
            try metrics.expectCounter(ControllerMetrics.totalName, Self.rule + [("result", result)]).totalValue
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await c.run() }
            c.queue.add("a")
            await eventually("the failure is scheduled for retry") { fake.count == 1 && c.queue.delayedCount == 1 }
            clock.advance(by: .ms(5))
            await eventually("the retry requeued") { fake.count == 2 && c.queue.delayedCount == 1 }
            clock.advance(by: .seconds(1))
            await eventually("success processed") { fake.count == 3 && c.queue.processingCount == 0 }
            c.shutDown()
        }
        #expect(try total("error") == 1)
        #expect(try total("requeue") == 1)
        #expect(try total("success") == 1)
        #expect(try metrics.expectCounter(ControllerMetrics.errorsName, Self.rule).totalValue == 1)
        #expect(try metrics.expectCounter(WorkQueueMetrics.retriesName, Self.rule).totalValue == 1)
        #expect(try metrics.expectTimer(ControllerMetrics.durationName, Self.rule).values == [2_000_000, 2_000_000, 2_000_000])
        // The first add, the rate-limited retry falling due, the requeue falling due.
        #expect(try metrics.expectCounter(WorkQueueMetrics.addsName, Self.rule).totalValue == 3)
    }
}
