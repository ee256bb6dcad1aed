public import Testing

/// A test trait that runs its test alone with respect to other tests naming the same cluster-wide
/// object, in this process: `@Test(.exclusive(on: "webapps.example.com"))`.
///
/// Swift Testing runs suites in parallel; `.serialized` orders tests within one suite only. Tests
/// of different suites that install, change or remove the same cluster-scoped object (a CRD that
/// each suite creates and deletes at the end) would otherwise race on it.
public struct ExclusiveClusterObject: TestTrait, TestScoping {
    public var name: String

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        await NamedMutex.shared.acquire(name)
        do {
            try await function()
        } catch {
            await NamedMutex.shared.release(name)
            throw error
        }
        await NamedMutex.shared.release(name)
    }
}

extension Trait where Self == ExclusiveClusterObject {
    /// Runs the test while no other test holding `name` runs.
    public static func exclusive(on name: String) -> Self { ExclusiveClusterObject(name: name) }
}

/// First-come-first-served mutual exclusion by name, for ``ExclusiveClusterObject``.
actor NamedMutex {
    static let shared = NamedMutex()
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ name: String) async {
        guard held.contains(name) else {
            held.insert(name)
            return
        }
        await withCheckedContinuation { waiting[name, default: []].append($0) }
    }

    /// Hands the name to the next waiter, or frees it.
    func release(_ name: String) {
        if var queue = waiting[name], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[name] = queue
            next.resume()
        } else {
            held.remove(name)
        }
    }
}
