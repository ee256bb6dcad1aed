public import Testing

/// A test trait that runs its test alone with respect to other tests naming the same cluster-wide
/// object, in this process: `@Test(.exclusive(on: "webapps.example.com"))`.
///
/// Swift Testing runs suites in parallel; `.serialized` orders tests within one suite only. Tests
/// of different suites that install, change or remove the same cluster-scoped object (a CRD that
/// each suite creates and deletes at the end) would otherwise race on it.
///
/// On a suite (`@Suite(.exclusive(on: ...))`) the lock is held once, around the whole suite.
public struct ExclusiveClusterObject: TestTrait, SuiteTrait, TestScoping {
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

extension ExclusiveClusterObject {
    /// Runs `body` while no test holding any of `names` runs (the trait's lock, for objects a test
    /// only learns while it runs, such as the CRDs of the rules it loads). Names are taken in
    /// sorted order, so two holders of overlapping sets cannot deadlock.
    public static func holding<T: Sendable>(_ names: Set<String>, _ body: () async throws -> T) async throws -> T {
        let sorted = names.sorted()
        for name in sorted { await NamedMutex.shared.acquire(name) }
        do {
            let result = try await body()
            for name in sorted.reversed() { await NamedMutex.shared.release(name) }
            return result
        } catch {
            for name in sorted.reversed() { await NamedMutex.shared.release(name) }
            throw error
        }
    }
}

extension ExclusiveClusterObject {
    /// The lock of tests that run the shipped rules (`rules/`) against the cluster: those rules
    /// watch cluster-wide (Namespaces by label, ConfigMaps and Secrets by label in every namespace),
    /// so two engines running them at once would both act on each other's objects.
    public static let shippedRules = "tend shipped rules (cluster-wide watches)"
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
