import Synchronization
import TendRuntime
import Testing

/// Waits (by yielding, never by sleeping on a clock) until `condition` holds; fails the test after
/// `attempts` scheduler turns. Used only to let other tasks reach a state, never to pass time.
func eventually(
    _ what: String = "condition", attempts: Int = 100_000,
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
) async {
    for _ in 0..<attempts {
        if condition() { return }
        await Task.yield()
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}

extension Duration {
    static func ms(_ n: Int) -> Duration { .milliseconds(n) }
}

extension RuntimeInstant {
    static func at(_ d: Duration) -> RuntimeInstant { RuntimeInstant(offset: d) }
}

/// A mutex-guarded value that closures can capture (a `Mutex` itself is non-copyable).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
