import Foundation
import Glibc
import Synchronization

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for fault injection. One thread per
/// connection, every response closes its connection. Bounded: stalls end at ``stop()`` or
/// after 30 s.
///
/// Routes (query parameters are plain integers):
/// - `/hello`: 200, body `hello`, header `X-Fake: yes`, `Retry-After: 7`.
/// - `/status/N`: status N, body `status N`.
/// - `/echo`: 200, body = the raw request (head and body) as received.
/// - `/lines?n=N&delay=MS`: N lines `line i`, MS milliseconds apart, close-delimited.
/// - `/stall`: head plus one line `first`, then silence until the client goes away.
/// - `/reset`: promises 100000 bytes, sends 1000, then resets the connection (RST).
/// - `/flood?total=BYTES`: lines of 1 KiB as fast as the client takes them; bytes written are
///   recorded in ``floodBytesWritten``.
/// - `/bigline?size=N`: one line of N `x`, then `tail` without newline.
/// - `/slowhead?delay=MS`: waits, then 200 `late`.
final class FakeHTTPServer: Sendable {
    let port: Int
    private let listenFD: Int32
    private struct State {
        var stopped = false
        var clients: Set<Int32> = []
        var floodBytesWritten = 0
        var clientClosedDuringStall = 0
        var requests = 0
    }
    private let state = Mutex(State())

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
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
            throw ServerError("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "fake-http-accept"
        thread.start()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    var floodBytesWritten: Int { state.withLock { $0.floodBytesWritten } }
    var clientClosedDuringStall: Int { state.withLock { $0.clientClosedDuringStall } }
    var requestCount: Int { state.withLock { $0.requests } }
    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// Closes the listener and every connection; handler threads end soon after.
    func stop() {
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
                s.requests += 1
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

    // MARK: Request handling

    private func handle(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        let (path, query) = split(request.target)
        switch path {
        case "/hello":
            respond(fd, status: 200, headers: ["X-Fake: yes", "Retry-After: 7"], body: Array("hello".utf8))
        case let p where p.hasPrefix("/status/"):
            let code = Int(p.dropFirst("/status/".count)) ?? 500
            respond(fd, status: code, headers: [], body: Array("status \(code)".utf8))
        case "/echo":
            respond(fd, status: 200, headers: [], body: request.raw)
        case "/lines":
            sendHead(fd, status: 200, headers: [])
            for i in 0..<(query["n"] ?? 3) {
                guard write(fd, Array("line \(i)\n".utf8)) else { return }
                pause(milliseconds: query["delay"] ?? 0)
            }
        case "/stall":
            sendHead(fd, status: 200, headers: [])
            _ = write(fd, Array("first\n".utf8))
            let deadline = ContinuousClock.now + .seconds(30)
            while !isStopped && ContinuousClock.now < deadline {
                var byte: UInt8 = 0
                let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                    state.withLock { $0.clientClosedDuringStall += 1 }
                    return
                }
                pause(milliseconds: 20)
            }
        case "/reset":
            sendHead(fd, status: 200, headers: ["Content-Length: 100000"])
            _ = write(fd, [UInt8](repeating: 0x61, count: 1000))
            pause(milliseconds: 50)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case "/flood":
            sendHead(fd, status: 200, headers: [])
            let total = query["total"] ?? (64 << 20)
            let line = [UInt8](repeating: 0x66, count: 1023) + [0x0A]
            var written = 0
            while written < total && !isStopped {
                guard write(fd, line) else { return }
                written += line.count
                state.withLock { $0.floodBytesWritten = written }
            }
        case "/bigline":
            sendHead(fd, status: 200, headers: [])
            let size = query["size"] ?? 1000
            var remaining = size
            let block = [UInt8](repeating: 0x78, count: 64 * 1024)
            while remaining > 0 {
                let n = min(remaining, block.count)
                guard write(fd, Array(block[0..<n])) else { return }
                remaining -= n
            }
            _ = write(fd, Array("\ntail".utf8))
        case "/slowhead":
            pause(milliseconds: query["delay"] ?? 1000)
            respond(fd, status: 200, headers: [], body: Array("late".utf8))
        default:
            respond(fd, status: 404, headers: [], body: Array("not found".utf8))
        }
    }

    private struct Request {
        var target: String
        var raw: [UInt8]
    }

    /// Reads the head and a `Content-Length` body.
    private func readRequest(_ fd: Int32) -> Request? {
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        var contentLength = 0
        while true {
            if headEnd == nil, let range = raw.firstRange(of: terminator) {
                headEnd = range.upperBound
                let head = String(decoding: raw[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headEnd, raw.count >= headEnd + contentLength { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            raw.append(contentsOf: buffer[0..<n])
        }
        let firstLine = String(decoding: raw.prefix { $0 != 13 }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        return Request(target: String(parts[1]), raw: raw)
    }

    private func split(_ target: String) -> (String, [String: Int]) {
        let pieces = target.split(separator: "?", maxSplits: 1)
        var query: [String: Int] = [:]
        if pieces.count == 2 {
            for pair in pieces[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, let value = Int(kv[1]) { query[String(kv[0])] = value }
            }
        }
        return (String(pieces.first ?? ""), query)
    }

    private func sendHead(_ fd: Int32, status: Int, headers: [String]) {
        var head = "HTTP/1.1 \(status) Fake\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        _ = write(fd, Array(head.utf8))
    }

    private func respond(_ fd: Int32, status: Int, headers: [String], body: [UInt8]) {
        sendHead(fd, status: status, headers: headers + ["Content-Length: \(body.count)"])
        _ = write(fd, body)
    }

    /// Writes everything; false when the peer is gone. Never raises SIGPIPE.
    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func pause(milliseconds: Int) {
        if milliseconds > 0 { usleep(UInt32(milliseconds) * 1000) }
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
