import Foundation
import Testing
import TendHTTP

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
                let response = try await client.execute(.get(cluster.url("/api/v1/namespaces/\(namespace)/configmaps"),
                                                              accept: "application/json"))
                #expect(response.status == 200)
                let list = try json(response.body)
                let items = try #require(list["items"] as? [[String: Any]])
                #expect(items.count == total)
                #expect(response.body.count > total * 100, "list body only \(response.body.count) bytes")
                let names = Set(items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
                #expect(names.count == total)
                print("[measure] list \(round): \(response.body.count) bytes in \(ContinuousClock.now - listStart)")
            }

            let ready = try await client.execute(.get(cluster.url("/readyz")))
            #expect(ready.status == 200)
            #expect(text(ready.body) == "ok")
            try await deleteNamespace(client, namespace)
        }
    }
}
