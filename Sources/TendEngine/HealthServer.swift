#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Synchronization

/// A minimal HTTP endpoint for liveness and readiness probes and metrics: `GET /healthz` answers 200
/// while the process runs, `GET /readyz` answers 200 once `ready()` is true (503 before), and, when a
/// `metrics` source is given, `GET /metrics` answers its bytes as the Prometheus text format
/// (``MetricsRegistry/contentType``). Anything else is 404.
///
/// Runs its blocking accept loop on its own thread, never on Swift's cooperative pool; each request is
/// one short response and the connection is closed. ``stop()`` closes the listening socket, which ends
/// the loop.
public final class HealthServer: Sendable {
    private let listener: Int32
    private let ready: @Sendable () -> Bool
    private let metrics: (@Sendable () -> [UInt8])?
    private let stopped = Mutex(false)
    /// The port actually bound (useful with port 0).
    public let port: Int

    /// Binds `host:port` (an empty host or `0.0.0.0` means every interface) and starts serving.
    /// - Parameter metrics: produces the `/metrics` body at each scrape (on the server's thread);
    ///   nil: `/metrics` is 404.
    public init(
        host: String, port: Int, metrics: (@Sendable () -> [UInt8])? = nil, ready: @escaping @Sendable () -> Bool
    ) throws {
        self.ready = ready
        self.metrics = metrics
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HealthServerError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let hostname = host.isEmpty ? "0.0.0.0" : (host == "localhost" ? "127.0.0.1" : host)
        guard inet_pton(AF_INET, hostname, &address.sin_addr) == 1 else {
            close(fd)
            throw HealthServerError("invalid IPv4 address \(host)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw HealthServerError("cannot listen on \(hostname):\(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        listener = fd
        let thread = Thread { [self] in self.serve() }
        thread.name = "tend-health"
        thread.start()
    }

    public func stop() {
        let first = stopped.withLock { s -> Bool in
            defer { s = true }
            return !s
        }
        if first {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func serve() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(client)
        }
    }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return }
        let requestLine = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : ""
        let method = parts.first.map(String.init)
        var contentType = "text/plain"
        let (status, body): (String, [UInt8])
        switch (method, path) {
        case ("GET", "/healthz"), ("HEAD", "/healthz"): (status, body) = ("200 OK", Array("ok\n".utf8))
        case ("GET", "/readyz"), ("HEAD", "/readyz"):
            (status, body) = ready() ? ("200 OK", Array("ok\n".utf8)) : ("503 Service Unavailable", Array("informers not synced\n".utf8))
        case ("GET", "/metrics") where metrics != nil, ("HEAD", "/metrics") where metrics != nil:
            contentType = MetricsRegistry.contentType
            (status, body) = ("200 OK", metrics?() ?? [])
        default: (status, body) = ("404 Not Found", Array("not found\n".utf8))
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        writeAll(fd, Array(head.utf8) + (method == "HEAD" ? [] : body))
    }

    /// Writes every byte (a large /metrics body may take several writes), giving up on an error.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}

public struct HealthServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
