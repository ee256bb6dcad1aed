import Foundation
import Glibc
import Synchronization

/// A blocking HTTP/1.1 server on 127.0.0.1 for tests that need to misbehave at the socket level:
/// each connection gets one thread, serves one request and closes (`Connection: close`).
///
/// The fakes built on it (``FakeAPIServer``, and the HTTP layer's route-based test server) decide
/// what to answer; this type owns the listener, the connection threads and ``stop()``.
///
/// Contract: `handler` runs on the connection's own thread and may block (stall, stream slowly);
/// it must return soon after ``isStopped`` turns true. After ``stop()`` no new connection is
/// admitted and every open one is shut down, so blocked reads and writes fail promptly.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (_ connection: LoopbackConnection) -> Void

    /// The port the listener was bound to (chosen by the kernel).
    public let port: Int
    private let listenFD: Int32
    private let handler: Handler
    private struct State {
        var stopped = false
        var clients: Set<Int32> = []
        var connections = 0
    }
    private let state = Mutex(State())

    /// Starts listening on a free loopback port; `name` names the accept thread.
    public init(name: String, handler: @escaping Handler) throws {
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
        port = Int(UInt16(bigEndian: address.sin_port))
        listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = name
        thread.start()
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    public var connectionCount: Int { state.withLock { $0.connections } }

    public var isStopped: Bool { state.withLock { $0.stopped } }

    /// Closes the listener and shuts every open connection down. Idempotent.
    public func stop() {
        let (clients, wasStopped) = state.withLock { s in
            defer { s.stopped = true }
            return (s.clients, s.stopped)
        }
        guard !wasStopped else { return }
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
                s.connections += 1
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            let thread = Thread { [self] in
                handler(LoopbackConnection(fd: fd, server: self))
                state.withLock { _ = $0.clients.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }
}

/// The fake server could not start.
public struct FakeServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
