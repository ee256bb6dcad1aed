import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Synchronization
import Testing
import TendEngine

/// The probe endpoint on loopback, without a cluster.
@Suite struct HealthServerTests {
    @Test func healthzAlwaysReadyzFollowsTheEngine() throws {
        let ready = Mutex(false)
        let server = try HealthServer(host: "127.0.0.1", port: 0) { ready.withLock { $0 } }
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/healthz").response == (200, "ok\n"))
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/readyz").response.0 == 503)
        ready.withLock { $0 = true }
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/readyz?verbose").response == (200, "ok\n"))
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/metrics").response.0 == 404)
    }

    @Test func verboseReadinessSaysWhatItIsMadeOf() throws {
        let ready = Mutex(false)
        let server = try HealthServer(host: "127.0.0.1", port: 0, detail: { "[+]rule a ok\n[-]rule b starting\n" }) { ready.withLock { $0 } }
        defer { server.stop() }
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/readyz?verbose").response == (503, "[+]rule a ok\n[-]rule b starting\nreadyz check failed\n"))
        ready.withLock { $0 = true }
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/readyz?verbose=1").response.0 == 200)
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/readyz").response == (200, "ok\n"))
    }

    @Test func aTakenPortIsAClearError() throws {
        let first = try HealthServer(host: "127.0.0.1", port: 0) { true }
        defer { first.stop() }
        #expect(throws: HealthServerError.self) { _ = try HealthServer(host: "127.0.0.1", port: first.port) { true } }
        #expect(throws: HealthServerError.self) { _ = try HealthServer(host: "not-an-address", port: 0) { true } }
    }

    /// kubelet's probes time out after 1 s by default: a connection that sends nothing must not
    /// hold them up (it used to, for 2 s, with one connection served at a time).
    @Test func anIdleConnectionDoesNotDelayHealthz() throws {
        let server = try HealthServer(host: "127.0.0.1", port: 0) { true }
        defer { server.stop() }
        let idle = try RawHTTP.connect("127.0.0.1", server.port)
        defer { close(idle) }
        Thread.sleep(forTimeInterval: 0.1)  // the server has accepted it and waits for its request
        let start = ContinuousClock.now
        let answer = try RawHTTP.get("127.0.0.1", server.port, "/healthz")
        let elapsed = ContinuousClock.now - start
        #expect(answer.response == (200, "ok\n"))
        #expect(elapsed < .seconds(1), "healthz took \(elapsed) behind an idle connection")
    }

    /// More idle connections than the limit: the oldest make room, and probes still answer.
    @Test func connectionsAreBoundedAndIdleOnesExpire() throws {
        var limits = HealthServer.Limits()
        limits.maxConnections = 4
        limits.requestTimeout = .milliseconds(500)
        let server = try HealthServer(host: "127.0.0.1", port: 0, limits: limits) { true }
        defer { server.stop() }
        let idle = try (0..<8).map { _ in try RawHTTP.connect("127.0.0.1", server.port) }
        defer { for fd in idle { close(fd) } }
        let start = ContinuousClock.now
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/healthz").response == (200, "ok\n"))
        #expect(ContinuousClock.now - start < .seconds(1))
        // An idle connection is closed once its request timeout has passed.
        var byte: UInt8 = 0
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(idle[7], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #expect(recv(idle[7], &byte, 1, 0) == 0, "the server closes an idle connection after its request timeout")
    }

    /// A scraper that disconnects in the middle of a response larger than the socket buffers must
    /// neither kill the process (SIGPIPE) nor stop the server.
    @Test func aClientLeavingMidResponseDoesNotKillTheServer() throws {
        // The test runner's disposition, whatever it is, must not hide SIGPIPE: restore the default.
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        let body = [UInt8](repeating: UInt8(ascii: "#"), count: 32 << 20)
        let server = try HealthServer(host: "127.0.0.1", port: 0, metrics: { body }) { true }
        defer { server.stop() }
        for round in 0..<4 {
            let fd = try RawHTTP.connect("127.0.0.1", server.port, receiveBuffer: 4096)
            try RawHTTP.send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            if round % 2 == 0 {
                // A clean close before the response: the server writes into a half-closed
                // connection, the client's kernel answers with a reset, and the next write is EPIPE.
                close(fd)
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 1024)
            #expect(recv(fd, &chunk, chunk.count, 0) > 0)
            // A reset in the middle of the response.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(fd)
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try RawHTTP.get("127.0.0.1", server.port, "/healthz").response == (200, "ok\n"))
        let whole = try RawHTTP.get("127.0.0.1", server.port, "/metrics")
        #expect(whole.status == 200)
        #expect(whole.bodyCount == body.count)
    }

    @Test func listensOnIPv6Loopback() throws {
        let server = try HealthServer(host: "::1", port: 0) { true }
        defer { server.stop() }
        #expect(server.address == "[::1]:\(server.port)")
        #expect(try RawHTTP.get("::1", server.port, "/healthz").response == (200, "ok\n"))
        let bracketed = try HealthServer(host: "[::1]", port: 0) { true }
        defer { bracketed.stop() }
        #expect(try RawHTTP.get("::1", bracketed.port, "/healthz").response == (200, "ok\n"))
    }

    /// `[::]` (and an empty host, `:8081`) listen on IPv6 and IPv4 at once; `0.0.0.0` on IPv4 only.
    @Test func theWildcardIsDualStack() throws {
        for host in ["[::]", ""] {
            let server = try HealthServer(host: host, port: 0) { true }
            defer { server.stop() }
            #expect(server.address == "[::]:\(server.port)")
            #expect(try RawHTTP.get("::1", server.port, "/healthz").response == (200, "ok\n"))
            #expect(try RawHTTP.get("127.0.0.1", server.port, "/healthz").response == (200, "ok\n"))
        }
        let v4 = try HealthServer(host: "0.0.0.0", port: 0) { true }
        defer { v4.stop() }
        #expect(v4.address == "0.0.0.0:\(v4.port)")
        #expect(try RawHTTP.get("127.0.0.1", v4.port, "/healthz").response == (200, "ok\n"))
        #expect(throws: (any Error).self) { try RawHTTP.get("::1", v4.port, "/healthz") }
    }

    @Test func stopFreesThePort() throws {
        let server = try HealthServer(host: "127.0.0.1", port: 0) { true }
        let port = server.port
        server.stop()
        server.stop()
        let again = try HealthServer(host: "127.0.0.1", port: port) { true }
        again.stop()
    }
}

/// A blocking HTTP/1.1 client over raw sockets, to control exactly what a client does.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Answer {
        var status: Int
        var body: String
        var bodyCount: Int
        var response: (Int, String) { (status, body) }
    }

    /// A connected blocking socket, IPv6 when `host` contains a colon.
    static func connect(_ host: String, _ port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = inet_pton(AF_INET, host, &address.sin_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw Failure(description: "send failed") }
    }

    /// One request on a fresh connection; reads the response to its end.
    @discardableResult
    static func get(_ host: String, _ port: Int, _ path: String) throws -> Answer {
        let fd = try connect(host, port)
        defer { close(fd) }
        try send(fd, "GET \(path) HTTP/1.1\r\nHost: tend\r\n\r\n")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
            received += chunk[..<n]
        }
        guard let end = received.indices.first(where: { received[$0...].starts(with: Array("\r\n\r\n".utf8)) }) else {
            throw Failure(description: "no response head in \(received.count) bytes")
        }
        let head = String(decoding: received[..<end], as: UTF8.self)
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
        let body = received[(end + 4)...]
        return Answer(status: status, body: body.count < 4096 ? String(decoding: body, as: UTF8.self) : "", bodyCount: body.count)
    }
}
