import Synchronization
public import Testing

/// Cleanup that a test registers as it goes (delete the namespace it made, shut its client down)
/// and that is awaited when the test ends, whether it passed, failed or threw: unlike a
/// fire-and-forget `defer { Task { ... } }`, the work is done before the next test starts and
/// before the process exits, so nothing leaks.
///
/// Put the trait on the suite or test (`@Suite(.awaitsCleanup)`) and register with
/// ``AwaitedCleanup/add(_:)`` inside it; blocks run in reverse order of registration, each
/// once, errors ignored. ``add(_:)`` outside such a scope is a programming error.
public struct AwaitedCleanup: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    final class Stack: Sendable {
        let blocks = Mutex<[@Sendable () async -> Void]>([])
    }

    @TaskLocal static var current: Stack?

    /// Registers `block` to run, awaited, when the current test ends.
    public static func add(_ block: @escaping @Sendable () async -> Void) {
        guard let stack = current else {
            preconditionFailure("AwaitedCleanup.add outside a test with the .awaitsCleanup trait")
        }
        stack.blocks.withLock { $0.append(block) }
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Suites get a scope per test (isRecursive); only the innermost one (a test) collects.
        guard testCase != nil || !test.isSuite else { return try await function() }
        let stack = Stack()
        do {
            try await Self.$current.withValue(stack) { try await function() }
        } catch {
            await Self.drain(stack)
            throw error
        }
        await Self.drain(stack)
    }

    static func drain(_ stack: Stack) async {
        let blocks = stack.blocks.withLock { blocks in
            defer { blocks.removeAll() }
            return blocks
        }
        for block in blocks.reversed() { await block() }
    }
}

extension Trait where Self == AwaitedCleanup {
    /// Awaits the cleanup the test registers with ``AwaitedCleanup/add(_:)`` when it ends.
    public static var awaitsCleanup: Self { AwaitedCleanup() }
}
