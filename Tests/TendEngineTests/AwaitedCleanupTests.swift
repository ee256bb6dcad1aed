import Synchronization
import Testing
@testable import TendTesting

/// The test-support trait that replaces fire-and-forget cleanup tasks: registered blocks run,
/// awaited, in reverse order, once, when the test ends, also when it throws.
struct AwaitedCleanupTests {
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        func add(_ s: String) { entries.withLock { $0.append(s) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test func blocksRunAwaitedInReverseOrderAlsoAfterAThrow() async throws {
        let log = Log()
        let trait = AwaitedCleanup()
        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await trait.provideScope(for: Test.current!, testCase: Test.Case.current) {
                AwaitedCleanup.add { log.add("namespace deleted") }
                AwaitedCleanup.add {
                    try? await Task.sleep(for: .milliseconds(50))
                    log.add("client shut down")
                }
                throw Failure()
            }
        }
        #expect(log.all == ["client shut down", "namespace deleted"], "awaited before the scope returned")
    }
}
