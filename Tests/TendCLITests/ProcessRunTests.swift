import Foundation
import Synchronization
import TendTesting
import Testing

/// The helper every CLI test runs `tend` through.
struct ProcessRunTests {
    /// A child that fills its stderr pipe before it writes stdout deadlocks a parent that reads
    /// stdout to its end first; ``runProcess(_:_:environment:directory:)`` drains both at once.
    @Test func aFullStderrPipeDoesNotDeadlock() throws {
        let result = Mutex<ProcessOutput?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            let output = try? runProcess(
                URL(fileURLWithPath: "/bin/sh"), ["-c", "head -c 1000000 /dev/zero | tr '\\0' e >&2; echo out"])
            result.withLock { $0 = output }
            finished.signal()
        }
        thread.start()
        // A deadlocked helper never returns; the child would stay blocked on its full pipe.
        try #require(finished.wait(timeout: .now() + 30) == .success, "runProcess deadlocked on a full stderr pipe")
        let output = try #require(result.withLock { $0 })
        #expect(output.status == 0)
        #expect(output.stdout == "out\n")
        #expect(output.stderr.utf8.count == 1_000_000)
    }
}
