import Foundation
import Synchronization
import Testing
import TendHTTP

extension ClusterTests {
    /// Each ADDED event must arrive before the next object is created: the watch is streamed
    /// line by line, not buffered.
    @Test func watchStreamsEventsLineByLine() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            let namespace = try await createNamespace(client, "watch")
            var request = HTTPRequest.get(cluster.url("/api/v1/namespaces/\(namespace)/configmaps?watch=1"))
            request.idleTimeout = .disabled
            let watch = try await client.stream(request)
            #expect(watch.status == 200)
            #expect(watch.httpVersion == .http2)

            let received = Mutex<[[UInt8]]>([])
            let consumer = Task {
                for try await line in watch.body where !line.isEmpty {
                    received.withLock { $0.append(line) }
                }
            }
            for i in 0..<5 {
                let created = try await client.execute(configMapRequest(namespace: namespace, name: "cm-\(i)"))
                #expect(created.status == 201)
                try await eventually("ADDED event for cm-\(i)") { received.withLock { $0.count } > i }
                let line = try #require(received.withLock { $0.count > i ? $0[i] : nil })
                let event = try json(line)
                #expect(event["type"] as? String == "ADDED")
                let object = try #require(event["object"] as? [String: Any])
                let metadata = try #require(object["metadata"] as? [String: Any])
                #expect(metadata["name"] as? String == "cm-\(i)")
            }
            watch.cancel()
            let result = await consumer.result
            if case .failure(let error as HTTPError) = result { #expect(error.code == .cancelled) }
            // Cancelling an h2 stream resets only that stream: the connection is reused.
            let after = try await client.execute(.get(cluster.url("/api/v1/namespaces/\(namespace)")))
            #expect(after.status == 200)
            #expect(after.metrics.connectionsOpened == 0)
            try await deleteNamespace(client, namespace)
        }
    }

    /// A watch on a quiet namespace receives nothing after the head: the idle timeout must fire
    /// as a typed error (this is how a silently dead connection surfaces).
    @Test func quietWatchHitsIdleTimeout() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            let namespace = try await createNamespace(client, "idle")
            var request = HTTPRequest.get(cluster.url("/api/v1/namespaces/\(namespace)/configmaps?watch=1"))
            request.idleTimeout = .after(.seconds(1))
            let start = ContinuousClock.now
            let watch = try await client.stream(request)
            let error = await #expect(throws: HTTPError.self) { for try await _ in watch.body {} }
            #expect(error?.code == .idleTimeout)
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .seconds(1) && elapsed < .seconds(15), "idle timeout after \(elapsed)")
            try await deleteNamespace(client, namespace)
        }
    }

    /// 100 concurrent GETs on a fresh client: all HTTP/2, multiplexed over very few connections.
    @Test func hundredConcurrentGetsShareHTTP2Connections() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            let results = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await client.execute(.get(cluster.url("/api/v1/namespaces/default"))) }
                }
                var all: [HTTPResponse] = []
                for try await response in group { all.append(response) }
                return all
            }
            #expect(results.count == 100)
            #expect(results.allSatisfy { $0.status == 200 && $0.httpVersion == .http2 })
            let connections = results.map(\.metrics.connectionsOpened).reduce(0, +)
            #expect(connections >= 1 && connections <= 2, "100 requests opened \(connections) connections")
        }
    }

    /// Throughput of small GETs over one HTTP/2 connection (reported, loosely asserted).
    @Test func smallGetThroughput() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            _ = try await client.execute(.get(cluster.url("/version")))
            let total = 2000, inFlight = 32
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                func add() {
                    guard next < total else { return }
                    next += 1
                    group.addTask { try await client.execute(.get(cluster.url("/version"))).metrics.connectionsOpened }
                }
                for _ in 0..<inFlight { add() }
                var opened = 0
                while let connections = try await group.next() {
                    opened += connections
                    add()
                }
                #expect(opened <= 1)
            }
            let elapsed = ContinuousClock.now - start
            let rate = Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print("[measure] \(total) GET /version over h2, \(inFlight) in flight: \(elapsed), \(Int(rate)) req/s")
        }
    }
}
