import Foundation
import TendRuntime

/// The work queue's hot path: add + next + done per key, 1 000 keys per round, best round of about
/// one second (the shape of controller-runtime's `BenchmarkAddGetDone`, 0.3–1.05 µs per item).
enum WorkQueueBenchmarks {
    static func addNextDone(_ name: String, _ queue: WorkQueue<Int>) async {
        let n = 1000
        var best = Double.infinity
        let deadline = Measure.now() + 1.0
        repeat {
            let t0 = Measure.now()
            for i in 0..<n { queue.add(i) }
            for _ in 0..<n {
                let key = await queue.next()!
                queue.done(key)
            }
            best = min(best, (Measure.now() - t0) / Double(n))
        } while Measure.now() < deadline
        print("\(name)=\(String(format: "%.3f", best * 1e6)) µs")
    }

    static func run() async {
        await addNextDone("workqueue-add-next-done", WorkQueue(clock: SystemClock()))
    }
}
