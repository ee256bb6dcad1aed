import Foundation
import Testing
@testable import TendHTTP

extension ClusterTests {
    /// 10,000 ConfigMaps created concurrently (32 in flight), listed fully 5 times, then the
    /// apiserver must still be ready. Guards against apiserver crashes under large lists.
    @Test func createTenThousandConfigMapsThenListFiveTimes() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            let namespace = try await createNamespace(client, "stress")
            let total = 10_000, inFlight = 32

            let createStart = ContinuousClock.now
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                func add() {
                    guard next < total else { return }
                    let request = configMapRequest(namespace: namespace, name: "cm-\(next)", data: "value-\(next)")
                    next += 1
                    group.addTask { try await client.execute(request).status }
                }
                for _ in 0..<inFlight { add() }
                var failures = 0
                while let status = try await group.next() {
                    if status != 201 { failures += 1 }
                    add()
                }
                return failures
            }
            let createTime = ContinuousClock.now - createStart
            #expect(failures == 0)
            print("[measure] created \(total) ConfigMaps (\(inFlight) in flight) in \(createTime)")

            for round in 1...5 {
                let listStart = ContinuousClock.now
                var request = HTTPRequest.get(cluster.url("/api/v1/namespaces/\(namespace)/configmaps"), accept: "application/json")
                request.acceptCompressed = round == 5  // last round: gzip on the wire, decoded by libcurl
                let response = try await client.execute(request)
                #expect(response.status == 200)
                if round == 5 { #expect(response.headers["content-encoding"] == "gzip") }
                let list = try json(response.body)
                let items = try #require(list["items"] as? [[String: Any]])
                #expect(items.count == total)
                #expect(response.body.count > total * 100, "list body only \(response.body.count) bytes")
                let names = Set(items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
                #expect(names.count == total)
                print("[measure] list \(round): \(response.body.count) bytes in \(ContinuousClock.now - listStart)")
            }

            try await pausedWatchDoesNotBlockTheConnection(namespace: namespace, expected: total)

            let ready = try await client.execute(.get(cluster.url("/readyz")))
            #expect(ready.status == 200)
            #expect(text(ready.body) == "ok")
            try await deleteNamespace(client, namespace)
        }
    }

    /// A watch that lists the existing objects as ADDED events (about 4 MB) is left unread with a
    /// small stream buffer, so its HTTP/2 stream gets paused; other requests on the same client
    /// (same connection) must still complete, and draining the watch later must deliver every
    /// event (unpause works, nothing lost).
    private func pausedWatchDoesNotBlockTheConnection(namespace: String, expected: Int) async throws {
        var config = cluster.adminConfiguration()
        config.streamBufferLimit = 64 * 1024
        try await HTTPClient.withClient(config) { client in
            var request = HTTPRequest.get(cluster.url("/api/v1/namespaces/\(namespace)/configmaps?watch=1"))
            request.idleTimeout = .disabled
            let watch = try await client.stream(request)
            #expect(watch.httpVersion == .http2)
            var iterator = watch.body.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .seconds(1))  // the transfer fills the buffer and pauses

            let start = ContinuousClock.now
            for _ in 0..<20 {
                let response = try await client.execute(.get(cluster.url("/api/v1/namespaces/\(namespace)")))
                #expect(response.status == 200)
                #expect(response.metrics.connectionsOpened == 0, "expected the watch's connection to be reused")
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(10), "requests beside a paused stream took \(elapsed)")
            #expect(watch.body.lifetime.buffer.pauseCount >= 1, "the watch was never paused")
            print("[measure] 20 GETs beside a paused h2 watch: \(elapsed)")

            var added = 1
            while added < expected, let line = try await iterator.next() {
                if line.starts(with: Array(#"{"type":"ADDED""#.utf8)) { added += 1 }
            }
            #expect(added == expected)
            print("[measure] paused watch drained: \(added) events, \(watch.body.lifetime.buffer.pauseCount) pauses")
            watch.cancel()
        }
    }
}
