#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Synchronization

/// An HTTP `CONNECT` proxy on loopback that counts what goes through it, for proxy tests.
///
/// Listens on 127.0.0.1 (a free port), answers each `CONNECT host:port` with `200`, and splices
/// the connection to **127.0.0.1**:port whatever the host: a test can use a host name the
/// machine cannot resolve (one the server's certificate names) and still reach a loopback server,
/// and nothing ever leaves the machine. Blocking sockets, a thread per direction; test use only.
public final class ConnectProxy: Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let state = Mutex<[String]>([])

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw Failure(description: "cannot listen on 127.0.0.1")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: actual.sin_port))
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The `host:port` of every `CONNECT` received, in order.
    public var targets: [String] { state.withLock { $0 } }

    /// How many tunnels were asked for.
    public var connections: Int { targets.count }

    /// Stops accepting (tunnels already open run until either side closes).
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in tunnel(client) }
            thread.start()
        }
    }

    private func tunnel(_ client: Int32) {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.containsHeadEnd {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else {
                close(client)
                return
            }
            head += buffer[..<n]
        }
        let line = String(decoding: head.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self).split(separator: " ")
        guard line.count >= 2, line[0] == "CONNECT", let colon = line[1].lastIndex(of: ":"), let port = UInt16(line[1][line[1].index(after: colon)...]) else {
            Self.send(client, Array("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".utf8))
            close(client)
            return
        }
        state.withLock { $0.append(String(line[1])) }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard upstream >= 0, connected == 0 else {
            Self.send(client, Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".utf8))
            close(client)
            if upstream >= 0 { close(upstream) }
            return
        }
        Self.send(client, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8))
        let done = DispatchSemaphore(value: 0)
        let back = Thread {
            Self.pump(from: upstream, to: client)
            done.signal()
        }
        back.start()
        Self.pump(from: client, to: upstream)
        done.wait()
        close(client)
        close(upstream)
    }

    /// Copies until end of file or an error, then half-closes the other side.
    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = recv(source, &buffer, buffer.count, 0)
            guard n > 0, send(destination, Array(buffer[..<n])) else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    @discardableResult
    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

extension [UInt8] {
    fileprivate var containsHeadEnd: Bool {
        let end = Array("\r\n\r\n".utf8)
        guard count >= 4 else { return false }
        return (0...(count - 4)).contains { self[$0..<($0 + 4)].elementsEqual(end) }
    }
}
