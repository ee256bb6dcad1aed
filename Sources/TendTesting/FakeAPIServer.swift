import Foundation
import Glibc
import Synchronization
public import TendValue

/// A scriptable HTTP/1.1 server on 127.0.0.1 that plays an API server for fault injection:
/// each request is answered by a handler deciding what happens (a response, a line stream, a
/// connection reset, a close without answer). Every connection serves one request and closes.
/// Raw sockets and one thread per connection; bounded: streams end at ``stop()`` or after 30 s.
public final class FakeAPIServer: Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        /// Path and query as sent (still percent-encoded).
        public var target: String
        public var path: String { String(target.prefix { $0 != "?" }) }
        /// Decoded query parameters (last value wins).
        public var query: [String: String]
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public var receivedAt: ContinuousClock.Instant

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// What to do with a request.
    public enum Action: Sendable {
        /// A complete response.
        case respond(status: Int, headers: [String: String] = [:], body: [UInt8] = [])
        /// A 200 whose body is `lines` (each followed by `\n`), `delayMilliseconds` apart; the
        /// connection then closes, or stays silent until the client leaves if `thenStall`.
        case lines([String], delayMilliseconds: Int = 0, thenStall: Bool = false)
        /// Read the request, then reset the connection (RST) without answering.
        case reset
        /// Read the request, then close the connection without answering.
        case close

        /// A JSON response.
        public static func json(_ status: Int, _ value: Value, headers: [String: String] = [:]) -> Action {
            var h = headers
            h["Content-Type"] = "application/json"
            return .respond(status: status, headers: h, body: JSON.serializeBytes(value))
        }

        /// A `Status` response as the API server sends it.
        public static func status(_ code: Int, reason: String, message: String = "", retryAfterSeconds: Int? = nil,
                                  headers: [String: String] = [:]) -> Action {
            var status: Value = ["apiVersion": "v1", "kind": "Status", "status": "Failure", "message": .string(message),
                                 "reason": .string(reason), "code": .int(Int64(code))]
            if let retryAfterSeconds { status["details"] = ["retryAfterSeconds": .int(Int64(retryAfterSeconds))] }
            return json(code, status, headers: headers)
        }
    }

    public typealias Handler = @Sendable (_ request: Request, _ index: Int) -> Action

    public let port: Int
    private let listenFD: Int32
    private let handler: Handler
    private struct State {
        var stopped = false
        var clients: Set<Int32> = []
        var requests: [Request] = []
    }
    private let state = Mutex(State())

    /// Starts listening on a free loopback port. `handler` gets each request and its 0-based index.
    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeServerError("socket failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw FakeServerError("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "fake-api-accept"
        thread.start()
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The requests received so far, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// Closes the listener and every connection.
    public func stop() {
        let clients = state.withLock { s in
            s.stopped = true
            return s.clients
        }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in clients { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !isStopped {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if isStopped { return }
                continue
            }
            let admitted = state.withLock { s in
                if s.stopped { return false }
                s.clients.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            let thread = Thread { [self] in
                handle(fd)
                state.withLock { _ = $0.clients.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    private func handle(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        let index = state.withLock { s in
            s.requests.append(request)
            return s.requests.count - 1
        }
        switch handler(request, index) {
        case .respond(let status, let headers, let body):
            var h = headers.map { "\($0.key): \($0.value)" }
            h.append("Content-Length: \(body.count)")
            sendHead(fd, status: status, headers: h)
            _ = write(fd, body)
        case .lines(let lines, let delay, let thenStall):
            sendHead(fd, status: 200, headers: ["Content-Type: application/json"])
            for line in lines {
                guard write(fd, Array((line + "\n").utf8)) else { return }
                if delay > 0 { usleep(UInt32(delay) * 1000) }
            }
            if thenStall { stall(fd) }
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .close:
            break
        }
    }

    private func stall(_ fd: Int32) {
        let deadline = ContinuousClock.now + .seconds(30)
        while !isStopped && ContinuousClock.now < deadline {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return }
            usleep(20_000)
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        var contentLength = 0
        var headers: [(name: String, value: String)] = []
        var firstLine = ""
        while true {
            if headEnd == nil, let range = raw.firstRange(of: terminator) {
                headEnd = range.upperBound
                let head = String(decoding: raw[..<range.lowerBound], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                firstLine = lines.first ?? ""
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = String(line[..<colon])
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    headers.append((name, value))
                    if name.lowercased() == "content-length" { contentLength = Int(value) ?? 0 }
                }
            }
            if let headEnd, raw.count >= headEnd + contentLength { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            raw.append(contentsOf: buffer[0..<n])
        }
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2, let headEnd else { return nil }
        let target = String(parts[1])
        var query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            for pair in target[target.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                query[key] = value
            }
        }
        return Request(method: String(parts[0]), target: target, query: query, headers: headers,
                       body: Array(raw[headEnd..<(headEnd + contentLength)]), receivedAt: .now)
    }

    private func sendHead(_ fd: Int32, status: Int, headers: [String]) {
        var head = "HTTP/1.1 \(status) Fake\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        _ = write(fd, Array(head.utf8))
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// The fake server could not start.
public struct FakeServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
