import Foundation
import Testing
@testable import TendHTTP

/// Transport behaviour against an in-process HTTP/1.1 server on loopback (fault injection).
@Suite(.timeLimit(.minutes(2)))
struct FakeServerTests {
    private func withServer<R>(
        _ config: HTTPClient.Configuration = HTTPClient.Configuration(),
        _ body: (FakeHTTPServer, HTTPClient) async throws -> R
    ) async throws -> R {
        let server = try FakeHTTPServer()
        defer { server.stop() }
        let client = HTTPClient(configuration: config)
        do {
            let r = try await body(server, client)
            await client.shutdown()
            return r
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func getReturnsStatusHeadersBodyAndVersion() async throws {
        try await withServer { server, client in
            let response = try await client.execute(.get(server.url("/hello")))
            #expect(response.status == 200)
            #expect(text(response.body) == "hello")
            #expect(response.headers["x-fake"] == "yes")
            #expect(response.headers["retry-after"].flatMap(Int.init) == 7)
            #expect(response.httpVersion == .http1_1)
            #expect(response.metrics.connectionsOpened == 1)
        }
    }

    @Test func serverErrorIsAResponseNotAnError() async throws {
        try await withServer { server, client in
            let response = try await client.execute(.get(server.url("/status/500")))
            #expect(response.status == 500)
            #expect(!response.isSuccess)
            #expect(text(response.body) == "status 500")
        }
    }

    @Test(arguments: [HTTPMethod.post, .put, .patch, .delete])
    func bodyMethodsSendBodyContentTypeAndToken(method: HTTPMethod) async throws {
        let config = HTTPClient.Configuration(bearerToken: BearerToken("t0k"))
        try await withServer(config) { server, client in
            let payload = Array("{\"k\":\"v\"}".utf8)
            let request = HTTPRequest.withBody(method, server.url("/echo"), body: payload,
                                               contentType: "application/merge-patch+json", accept: "application/json")
            let echoed = text(try await client.execute(request).body)
            #expect(echoed.hasPrefix("\(method.rawValue) /echo HTTP/1.1\r\n"))
            #expect(echoed.contains("Content-Type: application/merge-patch+json\r\n"))
            #expect(echoed.contains("Accept: application/json\r\n"))
            #expect(echoed.contains("Authorization: Bearer t0k\r\n"))
            #expect(!echoed.contains("Expect:"))
            #expect(echoed.hasSuffix("\r\n\r\n{\"k\":\"v\"}"))
        }
    }

    @Test func requestAuthorizationHeaderWinsOverClientToken() async throws {
        let config = HTTPClient.Configuration(bearerToken: BearerToken("client"))
        try await withServer(config) { server, client in
            var request = HTTPRequest.get(server.url("/echo"))
            request.headers["Authorization"] = "Bearer mine"
            let echoed = text(try await client.execute(request).body)
            #expect(echoed.contains("Authorization: Bearer mine\r\n"))
            #expect(!echoed.contains("client"))
        }
    }

    @Test func acceptCompressedAdvertisesEncodings() async throws {
        try await withServer { server, client in
            var request = HTTPRequest.get(server.url("/echo"))
            request.acceptCompressed = true
            let echoed = text(try await client.execute(request).body)
            #expect(echoed.lowercased().contains("accept-encoding: ") && echoed.contains("gzip"))
            let plain = text(try await client.execute(.get(server.url("/echo"))).body)
            #expect(!plain.lowercased().contains("accept-encoding"))
        }
    }

    @Test func invalidRequestsAreRejectedWithTypedCode() async throws {
        try await withServer { server, client in
            for request in [HTTPRequest.get("ftp://127.0.0.1/x"), .get("not a url"),
                            HTTPRequest(url: server.url("/hello"), headers: ["X-Bad": "a\r\nInjected: 1"])] {
                let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(request) }
                #expect(error?.code == .invalidRequest)
            }
        }
    }

    /// The server sends line i+1 only after the client has received line i: a buffering client
    /// would wait for lines that never come (until the server's 10 s gate timeout).
    @Test func streamDeliversEachLineBeforeTheNextIsSent() async throws {
        try await withServer { server, client in
            let response = try await client.stream(.get(server.url("/gated?n=5")))
            #expect(response.status == 200)
            var iterator = response.body.makeAsyncIterator()
            for i in 0..<5 {
                server.openGate(through: i)
                #expect(try await iterator.next().map(text) == "line \(i)")
            }
            #expect(try await iterator.next() == nil)
            #expect(server.gateTimeouts == 0)
        }
    }

    @Test func slowStreamLinesArriveSpreadOut() async throws {
        try await withServer { server, client in
            let response = try await client.stream(.get(server.url("/lines?n=3&delay=300")))
            var lines: [String] = []
            for try await line in response.body { lines.append(text(line)) }
            #expect(lines == ["line 0", "line 1", "line 2"])
        }
    }

    @Test func tenMegabyteLineStreamsThrough() async throws {
        try await withServer { server, client in
            let response = try await client.stream(.get(server.url("/bigline?size=\(10 << 20)")))
            var lines: [[UInt8]] = []
            for try await line in response.body { lines.append(line) }
            #expect(lines.count == 2)
            #expect(lines.first?.count == 10 << 20)
            #expect(lines.last.map(text) == "tail")
        }
    }

    @Test func stalledStreamFailsWithIdleTimeout() async throws {
        let config = HTTPClient.Configuration(idleTimeout: .milliseconds(800))
        try await withServer(config) { server, client in
            let start = ContinuousClock.now
            let response = try await client.stream(.get(server.url("/stall")))
            var iterator = response.body.makeAsyncIterator()
            #expect(try await iterator.next().map(text) == "first")
            let error = await #expect(throws: HTTPError.self) { _ = try await iterator.next() }
            #expect(error?.code == .idleTimeout)
            let waited = ContinuousClock.now - start
            // The limit counts from the last byte received ("first"), which is after `start`.
            #expect(waited >= .milliseconds(800) && waited < .seconds(15), "idle timeout after \(waited)")
        }
    }

    @Test func totalTimeoutIsTimedOut() async throws {
        try await withServer { server, client in
            var request = HTTPRequest.get(server.url("/slowhead?delay=3000"))
            request.timeout = .milliseconds(300)
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(request) }
            #expect(error?.code == .timedOut)
        }
    }

    @Test func connectionResetMidBodyIsTransportError() async throws {
        try await withServer { server, client in
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(server.url("/reset"))) }
            #expect(error?.code == .transport)
            #expect(error?.curlCode != nil)

            let response = try await client.stream(.get(server.url("/reset")))
            let streamError = await #expect(throws: HTTPError.self) {
                for try await _ in response.body {}
            }
            #expect(streamError?.code == .transport)
        }
    }

    @Test func connectionRefusedIsConnectFailed() async throws {
        await HTTPClient.withClient { client in
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get("http://127.0.0.1:9/")) }
            #expect(error?.code == .connectFailed)
            #expect(error?.method == "GET")
            #expect(error?.url == "http://127.0.0.1:9/")
        }
    }

    @Test func cancellingTheTaskAbortsExecutePromptly() async throws {
        try await withServer { server, client in
            var request = HTTPRequest.get(server.url("/stall"))
            request.idleTimeout = .disabled
            let task = Task { try await client.execute(request) }
            try await Task.sleep(for: .milliseconds(300))
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // The request stalls forever (no idle timeout): any bound proves the cancel ended it. Generous,
            // because a loaded 2-core machine running the suites in parallel delays threads by seconds.
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(throws: HTTPError.self) { try result.get() }
            if case .failure(let error as HTTPError) = result { #expect(error.code == .cancelled) }
            try await eventually { server.clientClosedDuringStall == 1 }
        }
    }

    @Test func cancellingTheConsumerAbortsTheStream() async throws {
        try await withServer { server, client in
            var request = HTTPRequest.get(server.url("/stall"))
            request.idleTimeout = .disabled
            let response = try await client.stream(request)
            let task = Task {
                var count = 0
                for try await _ in response.body { count += 1 }
                return count
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            if case .failure(let error as HTTPError) = result {
                #expect(error.code == .cancelled)
            } else {
                Issue.record("expected cancellation, got \(result)")
            }
            try await eventually { server.clientClosedDuringStall == 1 }
        }
    }

    @Test func droppingTheStreamAbortsTheTransfer() async throws {
        try await withServer { server, client in
            var request = HTTPRequest.get(server.url("/stall"))
            request.idleTimeout = .disabled
            do {
                let response = try await client.stream(request)
                var iterator = response.body.makeAsyncIterator()
                #expect(try await iterator.next().map(text) == "first")
            }
            try await eventually { server.clientClosedDuringStall == 1 }
        }
    }

    @Test func slowConsumerPausesTheTransfer() async throws {
        let config = HTTPClient.Configuration(streamBufferLimit: 256 * 1024)
        try await withServer(config) { server, client in
            let total = 256 << 20
            let response = try await client.stream(.get(server.url("/flood?total=\(total)")))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .seconds(1))
            let writtenWhilePaused = server.floodBytesWritten
            try await Task.sleep(for: .milliseconds(500))
            // Only socket buffers plus our bounded buffer may fill: far less than the 256 MiB.
            #expect(writtenWhilePaused < 32 << 20, "server wrote \(writtenWhilePaused) bytes to a paused client")
            #expect(server.floodBytesWritten - writtenWhilePaused < 1 << 20, "transfer did not stay paused")
            #expect(response.body.lifetime.buffer.pauseCount >= 1)
            // Draining resumes it: read 64 MiB worth of lines.
            var lines = 1
            while lines < 65536, let line = try await iterator.next() {
                #expect(line.count == 1023)
                lines += 1
            }
            #expect(lines == 65536)
            #expect(server.floodBytesWritten >= 64 << 20)
        }
    }

    @Test func shutdownFailsInFlightAndLaterRequests() async throws {
        let server = try FakeHTTPServer()
        defer { server.stop() }
        let client = HTTPClient()
        var request = HTTPRequest.get(server.url("/stall"))
        request.idleTimeout = .disabled
        let response = try await client.stream(request)
        let pending = Task { try await client.execute(request) }
        try await Task.sleep(for: .milliseconds(200))
        await client.shutdown()
        let streamError = await #expect(throws: HTTPError.self) { for try await _ in response.body {} }
        #expect(streamError?.code == .shutdown)
        if case .failure(let error as HTTPError) = await pending.result {
            #expect(error.code == .shutdown)
        } else {
            Issue.record("pending request did not fail with shutdown")
        }
        let later = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(server.url("/hello"))) }
        #expect(later?.code == .shutdown)
        await client.shutdown()  // idempotent
    }

    @Test func curlThreadExitsAfterShutdownAndAfterDrop() async throws {
        let server = try FakeHTTPServer()
        defer { server.stop() }
        let client = HTTPClient()
        #expect(try await client.execute(.get(server.url("/hello"))).status == 200)
        #expect(!client.inbox.isStopped)
        await client.shutdown()
        #expect(client.inbox.isStopped)

        var dropped: HTTPClient? = HTTPClient()
        let inbox = try #require(dropped?.inbox)
        #expect(try await dropped?.execute(.get(server.url("/hello"))).status == 200)
        dropped = nil
        try await eventually("curl thread of a dropped client exits") { inbox.isStopped }
    }

    @Test func manyConcurrentRequests() async throws {
        try await withServer { server, client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.execute(.get(server.url("/hello"))).status }
                }
                for try await status in group { #expect(status == 200) }
            }
        }
    }
}

/// Polls `condition` for up to 5 s.
func eventually(_ what: String = "condition", _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
        if ContinuousClock.now > deadline {
            Issue.record("\(what) not reached within 5 s")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
