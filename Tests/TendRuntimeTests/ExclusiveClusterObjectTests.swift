import Synchronization
import Testing

@testable import TendTesting

/// The test-support lock that keeps tests of different suites off a shared cluster object.
@Suite struct ExclusiveClusterObjectTests {
    @Test func aSecondHolderWaitsUntilTheFirstReleasesAndOtherNamesDoNot() async throws {
        let mutex = NamedMutex()
        await mutex.acquire("crd")
        let entered = Mutex(false)
        let waiter = Task {
            await mutex.acquire("crd")
            entered.withLock { $0 = true }
            await mutex.release("crd")
        }
        await mutex.acquire("other")  // a different name is free
        try await Task.sleep(for: .milliseconds(100))
        #expect(entered.withLock { $0 } == false, "the second holder entered while the first held the name")
        await mutex.release("crd")
        await waiter.value
        #expect(entered.withLock { $0 })
        await mutex.release("other")
        await mutex.acquire("crd")  // free again
        await mutex.release("crd")
    }
}
