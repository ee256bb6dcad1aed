import Foundation
import Testing
import TendKube
import TendMeta
import TendRuntime
import TendTesting
import TendValue

/// Helpers of the TendRuntime cluster suites (the local control plane, see docs/local-cluster.md).
enum RuntimeCluster {
    static let configMapKind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!

    /// The cluster's configuration without the client-side rate limit (tests create objects in bulk).
    static func configuration(_ base: ClientConfiguration) -> ClientConfiguration {
        var c = base
        c.rateLimit = .unlimited
        return c
    }

    /// Runs `body` with a client and a fresh namespace, deleted afterwards.
    static func withNamespace<R>(
        _ cluster: LocalCluster, _ prefix: String, _ body: (KubeClient, String) async throws -> R
    ) async throws -> R {
        try await KubeClient.withClient(configuration(cluster.configuration)) { client in
            let name = "tend-rt-\(prefix)-\(UInt32.random(in: 0..<UInt32.max))"
            let namespaces = try await client.resource(namespaceKind)
            _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
            do {
                let result = try await body(client, name)
                _ = try? await namespaces.delete(name)
                return result
            } catch {
                _ = try? await namespaces.delete(name)
                throw error
            }
        }
    }

    static func configMap(_ name: String, namespace: String, data: Value = ["k": "v"], labels: Value = [:]) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels], "data": data]
    }

    /// Runs `factory` while `body` runs; stops it afterwards.
    static func running<R>(_ factory: SharedInformerFactory, _ body: () async throws -> R) async throws -> R {
        let task = Task { await factory.run() }
        defer { task.cancel() }
        let result = try await body()
        task.cancel()
        await task.value
        return result
    }

    /// Polls `condition` every 20 ms (real time) until it holds; fails the test after `timeout`.
    static func until(
        _ what: String, timeout: Duration = .seconds(30), sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out after \(timeout) waiting for \(what)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Creates `names` with `concurrency` requests in flight.
    static func createConfigMaps(
        _ client: KubeClient, namespace: String, names: [String], labels: Value = [:], concurrency: Int = 16
    ) async throws {
        let cms = try await client.resource(configMapKind, namespace: namespace)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let name = names[next]
                next += 1
                group.addTask { _ = try await cms.create(configMap(name, namespace: namespace, labels: labels)) }
            }
            while next < min(concurrency, names.count) { add() }
            while try await group.next() != nil {
                if next < names.count { add() }
            }
        }
    }
}

/// Records every change a handler receives.
final class ChangeLog: Sendable {
    private let changes = Locked<[StoreChange]>([])

    var handler: @Sendable (StoreChange) -> Void { { change in self.changes.withLock { $0.append(change) } } }
    var all: [StoreChange] { changes.value }
    var count: Int { changes.withLock { $0.count } }

    /// The objects a handler that applied every change in order would hold, by name, with their
    /// resourceVersions: what the informer's contract promises it converges to, whatever was folded.
    func replayed() -> [String: String] {
        var objects: [String: String] = [:]
        for change in all {
            switch change {
            case .added(let o), .updated(_, let o):
                objects[change.key.name] = o.metadata["resourceVersion"]?.stringValue ?? ""
            case .deleted:
                objects[change.key.name] = nil
            }
        }
        return objects
    }

    /// `added a`, `updated a`, `deleted a`, with `data.i` when present.
    func described(name: String? = nil) -> [String] {
        all.compactMap { change -> String? in
            let key = change.key
            if let name, key.name != name { return nil }
            let i = change.object["data"]?["i"]?.stringValue.map { " \($0)" } ?? ""
            switch change {
            case .added: return "added \(key.name)\(i)"
            case .updated: return "updated \(key.name)\(i)"
            case .deleted: return "deleted \(key.name)"
            }
        }
    }
}

func sortedNames(_ values: [Value]) -> [String] {
    values.compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
}
