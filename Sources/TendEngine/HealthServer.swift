#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import Synchronization

/// A minimal HTTP endpoint for liveness and readiness probes and metrics: `GET /healthz` answers 200
/// while the process runs, `GET /readyz` answers 200 once `ready()` is true (503 before), and, when a
/// `metrics` source is given, `GET /metrics` answers its bytes as the Prometheus text format
/// (``MetricsRegistry/contentType``). Anything else is 404. One request per connection.
///
/// Contract:
/// - **Connections are served concurrently**: one thread runs a `poll(2)` loop over non-blocking
///   sockets (never Swift's cooperative pool), so an idle or slow client does not delay another's
///   `/healthz`. Responses are computed on that thread (`ready()` and `metrics()` must be quick).
/// - **Resources are bounded** (``Limits``): at most ``Limits/maxConnections`` connections; a new
///   one beyond that replaces the oldest connection still sending its request, or waits in the
///   listen backlog when every connection is writing. A request must arrive within
///   ``Limits/requestTimeout`` and its response be read within ``Limits/responseTimeout``.
/// - **A client that disconnects mid-response is harmless**: writes use `MSG_NOSIGNAL`
///   (`SO_NOSIGPIPE` on Darwin), so the process never gets SIGPIPE from this server.
/// - **Addresses**: an empty host, `::` or `[::]` listen on every interface, IPv6 and IPv4 (IPv4
///   only on a system without IPv6); `0.0.0.0` and other IPv4 literals listen on IPv4 only; IPv6
///   literals (`::1`, `[::1]`) on IPv6 only; `localhost` is 127.0.0.1.
/// - ``stop()`` ends the loop, closes every socket and returns when the port is free.
public final class HealthServer: Sendable {
    /// Bounds on what clients can hold.
    public struct Limits: Sendable, Hashable {
        /// Connections open at once.
        public var maxConnections = 64
        /// Time from accepting a connection to the end of its request head.
        public var requestTimeout: Duration = .seconds(5)
        /// Time to write a response (a client that stops reading is dropped then).
        public var responseTimeout: Duration = .seconds(10)
        /// The largest request head read; a larger one closes the connection.
        public var maximumRequestHead = 8 * 1024

        public init() {}
    }

    /// The port actually bound (useful with port 0).
    public let port: Int
    /// The address listened on, as `HOST:PORT` (`[::]:8081`, `127.0.0.1:8081`).
    public let address: String

    private let listener: Int32
    private let wake: (read: Int32, write: Int32)
    private let limits: Limits
    private let ready: @Sendable () -> Bool
    private let detail: (@Sendable () -> String)?
    private let metrics: (@Sendable () -> [UInt8])?
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Binds `host:port` (see the type's contract for what a host means) and starts serving.
    /// - Parameter metrics: produces the `/metrics` body at each scrape (on the server's thread);
    ///   nil: `/metrics` is 404.
    /// - Throws: ``HealthServerError`` for an address that is not an IP literal or `localhost`, or
    ///   one that cannot be bound.
    public init(
        host: String, port: Int, limits: Limits = Limits(), metrics: (@Sendable () -> [UInt8])? = nil,
        detail: (@Sendable () -> String)? = nil, ready: @escaping @Sendable () -> Bool
    ) throws {
        guard let address = ListenAddress(host: host) else {
            throw HealthServerError("invalid address \(host): expected an IPv4 or IPv6 address (IPv6 in brackets with a port: [::1]:8081), or localhost")
        }
        self.ready = ready
        self.detail = detail
        self.metrics = metrics
        self.limits = limits
        let bound = try Self.listen(on: address, port: port, backlog: Int32(max(16, limits.maxConnections)))
        listener = bound.fd
        self.port = bound.port
        self.address = bound.address
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(bound.fd)
            throw HealthServerError("pipe: \(String(cString: strerror(errno)))", errno: errno)
        }
        Self.setNonBlocking(pipeFDs[0])
        Self.setNonBlocking(pipeFDs[1])
        wake = (pipeFDs[0], pipeFDs[1])
        let thread = Thread { [self] in self.serve() }
        thread.name = "tend-health"
        thread.start()
    }

    /// Stops serving: closes the listening socket and every connection. Returns once they are
    /// closed; later calls return at once.
    public func stop() {
        let first = stopped.withLock { s -> Bool in
            defer { s = true }
            return !s
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        finished.wait()
        close(wake.write)
    }

    // MARK: The loop

    private func serve() {
        var connections: [Int32: HealthConnection] = [:]
        defer {
            for fd in connections.keys { close(fd) }
            close(listener)
            close(wake.read)
            finished.signal()
        }
        var fds: [pollfd] = []
        while true {
            let now = ContinuousClock.now
            for fd in Array(connections.keys) where connections[fd]!.expire(now: now) {
                close(fd)
                connections[fd] = nil
            }
            let order = Array(connections.keys)
            let canAccept = connections.count < limits.maxConnections || connections.values.contains(where: \.isReading)
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: canAccept ? listener : -1, events: Int16(POLLIN), revents: 0))
            for fd in order {
                fds.append(pollfd(fd: fd, events: Int16(connections[fd]?.isReading == true ? POLLIN : POLLOUT), revents: 0))
            }
            let timeout = connections.values.map(\.deadline).min().map { Self.milliseconds(until: $0, from: now) } ?? 1000
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 { return }
            if fds[1].revents != 0 { accept(into: &connections) }
            for (i, fd) in order.enumerated() where fds[i + 2].revents != 0 {
                guard var connection = connections[fd] else { continue }
                service(fd, &connection)
                if connection.phase == .closed {
                    close(fd)
                    connections[fd] = nil
                } else {
                    connections[fd] = connection
                }
            }
        }
    }

    /// Accepts waiting connections while there is room (making room by dropping the oldest
    /// connection still reading its request when full).
    private func accept(into connections: inout [Int32: HealthConnection]) {
        while true {
            if connections.count >= limits.maxConnections {
                guard let oldest = connections.filter({ $0.value.isReading }).min(by: { $0.value.deadline < $1.value.deadline }) else { return }
                close(oldest.key)
                connections[oldest.key] = nil
            }
            #if canImport(Glibc)
                let fd = Glibc.accept(listener, nil, nil)
            #else
                let fd = Darwin.accept(listener, nil, nil)
            #endif
            guard fd >= 0 else { return }  // EAGAIN: none waiting; anything else: try again at the next poll
            Self.setNonBlocking(fd)
            connections[fd] = HealthConnection(accepted: .now, limits: limits)
        }
    }

    /// Reads what arrived or writes what is pending, as the connection's phase asks.
    private func service(_ fd: Int32, _ connection: inout HealthConnection) {
        if connection.isReading {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { connection.fail() }
                return
            }
            guard let request = connection.receive(buffer[..<n]) else { return }
            connection.respond(response(to: request), now: .now)
        }
        flush(fd, &connection)
    }

    /// Writes as much of the pending response as the socket takes.
    private func flush(_ fd: Int32, _ connection: inout HealthConnection) {
        while connection.phase == .writing {
            let n = connection.pending.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Self.sendFlags) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno != EAGAIN, errno != EWOULDBLOCK { connection.fail() }  // EPIPE, ECONNRESET: the client left
                return
            }
            connection.wrote(n)
        }
    }

    // MARK: Routing

    /// The whole response (head and body) to one request.
    func response(to request: HealthConnection.Request) -> [UInt8] {
        var contentType = "text/plain"
        let (status, body): (String, [UInt8])
        switch (request.method, request.path) {
        case ("GET", "/healthz"), ("HEAD", "/healthz"): (status, body) = ("200 OK", Array("ok\n".utf8))
        case ("GET", "/readyz"), ("HEAD", "/readyz"):
            let isReady = ready()
            // `?verbose`, as the API server's own /readyz: what readiness is made of, line by line.
            let verbose = request.query.split(separator: "&").contains { $0 == "verbose" || $0.hasPrefix("verbose=") }
            var text = isReady ? "ok\n" : "informers not synced\n"
            if verbose, let detail { text = detail() + (isReady ? "readyz check passed\n" : "readyz check failed\n") }
            (status, body) = isReady ? ("200 OK", Array(text.utf8)) : ("503 Service Unavailable", Array(text.utf8))
        case ("GET", "/metrics") where metrics != nil, ("HEAD", "/metrics") where metrics != nil:
            contentType = MetricsRegistry.contentType
            (status, body) = ("200 OK", metrics?() ?? [])
        default: (status, body) = ("404 Not Found", Array("not found\n".utf8))
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (request.method == "HEAD" ? [] : body)
    }

    /// Milliseconds from `now` to `deadline`, rounded up, between 0 and 1000.
    static func milliseconds(until deadline: ContinuousClock.Instant, from now: ContinuousClock.Instant) -> Int32 {
        let (seconds, attoseconds) = (deadline - now).components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(min(1000, max(0, ms)))
    }
}
