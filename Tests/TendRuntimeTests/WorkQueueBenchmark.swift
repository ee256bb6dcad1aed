import TendRuntime
import TendTesting
import Testing

/// Micro benchmark: add + next + done per item, 1 000 items per round (the shape of
/// controller-runtime's `BenchmarkAddGetDone`, 0.3–1.05 µs/item). Prints µs/item; asserts only a
/// generous bound so that debug builds on a loaded machine pass.
@Suite("WorkQueue benchmark")
struct WorkQueueBenchmark {
    @Test func addNextDone() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        let rounds = 200
        let n = 1000
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            for _ in 0..<rounds {
                for i in 0..<n { q.add(i) }
                for _ in 0..<n {
                    let k = await q.next()!
                    q.done(k)
                }
            }
        }
        let perItem = elapsed / (rounds * n)
        print("WorkQueue add+next+done: \(perItem) per item (\(rounds * n) items)")
        #expect(perItem < .milliseconds(1))
    }

    @Test func pureStateAddNextDone() {
        var q = WorkQueueState<Int>()
        let rounds = 200
        let n = 1000
        let elapsed = ContinuousClock().measure {
            for _ in 0..<rounds {
                for i in 0..<n { q.add(i) }
                while let k = q.next() { q.done(k) }
            }
        }
        print("WorkQueueState add+next+done: \(elapsed / (rounds * n)) per item")
        #expect(q.count == 0)
    }
}
