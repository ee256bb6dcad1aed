import Foundation
import Glibc

/// A request as a ``LoopbackServer`` received it.
public struct LoopbackRequest: Sendable {
    public var method: String
    /// Path and query as sent (still percent-encoded).
    public var target: String
    public var path: String { String(target.prefix { $0 != "?" }) }
    /// Decoded query parameters (last value wins).
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The head and body exactly as received.
    public var raw: [UInt8]
    public var receivedAt: ContinuousClock.Instant

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One accepted connection of a ``LoopbackServer``, handed to its handler on the connection's own
/// thread. The server closes the socket when the handler returns.
public struct LoopbackConnection: Sendable {
    let fd: Int32
    let server: LoopbackServer

    /// Whether the server is stopping: long-running handlers must return soon.
    public var isStopped: Bool { server.isStopped }

    /// Reads the request head and a `Content-Length` body; nil when the peer leaves first or the
    /// request line is malformed.
    public func readRequest() -> LoopbackRequest? {
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
                let lines = String(decoding: raw[..<range.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
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
                query[key] = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        return LoopbackRequest(
            method: String(parts[0]), target: target, query: query, headers: headers,
            body: Array(raw[headEnd..<(headEnd + contentLength)]), raw: raw, receivedAt: .now)
    }

    /// Sends a status line and headers (plus `Connection: close`), without a body.
    public func sendHead(status: Int, headers: [String]) {
        var head = "HTTP/1.1 \(status) Fake\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        _ = write(Array(head.utf8))
    }

    /// A complete response with a `Content-Length` body.
    public func respond(status: Int, headers: [String] = [], body: [UInt8] = []) {
        sendHead(status: status, headers: headers + ["Content-Length: \(body.count)"])
        _ = write(body)
    }

    /// Writes everything; false when the peer is gone. Never raises SIGPIPE.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Makes the close that follows the handler a reset (RST) rather than an orderly FIN.
    public func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Stays silent until the peer closes (true), the server stops or `limit` passes (false).
    public func waitForPeerToLeave(limit: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + limit
        while !isStopped && ContinuousClock.now < deadline {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Blocks the handler thread.
    public func pause(milliseconds: Int) {
        if milliseconds > 0 { usleep(UInt32(milliseconds) * 1000) }
    }
}
