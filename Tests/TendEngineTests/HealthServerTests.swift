import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Synchronization
import Testing
import TendEngine

/// The probe endpoint on loopback, without a cluster.
struct HealthServerTests {
    func get(_ port: Int, _ path: String) throws -> (Int, String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let result = Mutex<(Int, String)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: url) { data, response, _ in
            result.withLock { $0 = ((response as? HTTPURLResponse)?.statusCode ?? -1, String(decoding: data ?? Data(), as: UTF8.self)) }
            done.signal()
        }
        task.resume()
        _ = done.wait(timeout: .now() + 5)
        return try #require(result.withLock { $0 })
    }

    @Test func healthzAlwaysReadyzFollowsTheEngine() throws {
        let ready = Mutex(false)
        let server = try HealthServer(host: "127.0.0.1", port: 0) { ready.withLock { $0 } }
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(try get(server.port, "/healthz") == (200, "ok\n"))
        #expect(try get(server.port, "/readyz").0 == 503)
        ready.withLock { $0 = true }
        #expect(try get(server.port, "/readyz") == (200, "ok\n"))
        #expect(try get(server.port, "/metrics").0 == 404)
    }

    @Test func aTakenPortIsAClearError() throws {
        let first = try HealthServer(host: "127.0.0.1", port: 0) { true }
        defer { first.stop() }
        #expect(throws: HealthServerError.self) { _ = try HealthServer(host: "127.0.0.1", port: first.port) { true } }
    }
}
