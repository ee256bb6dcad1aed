import Synchronization
import TendRuntime
import TendValue
import Testing

/// Waits (by yielding, never by sleeping on a clock) until `condition` holds; fails the test after
/// `attempts` scheduler turns. Used only to let other tasks reach a state, never to pass time.
func eventually(
    _ what: String = "condition", attempts: Int = 100_000,
    sourceLocation: Testing.SourceLocation = #_sourceLocation, _ condition: () -> Bool
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

/// A minimal object: `{"metadata": {namespace, name, resourceVersion, labels, ownerReferences}}`.
func object(
    _ name: String, namespace: String = "default", rv: String = "1", labels: [String: String]? = nil,
    controllerUID: String? = nil, extra: Value? = nil
) -> Value {
    var meta: Value = ["name": .string(name), "resourceVersion": .string(rv)]
    if !namespace.isEmpty { meta["namespace"] = .string(namespace) }
    if let labels {
        meta["labels"] = .object(Value.Object(labels.sorted { $0.key < $1.key }.map { ($0.key, Value.string($0.value)) }))
    }
    if let controllerUID {
        meta["ownerReferences"] = [["kind": "Parent", "name": "p", "uid": .string(controllerUID), "controller": true]]
    }
    var o: Value = ["metadata": meta]
    if let extra { o["spec"] = extra }
    return o
}

func names(_ values: [Value]) -> [String] {
    values.compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
}
