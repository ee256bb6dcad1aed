#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The listening socket of the ``HealthServer``: which address a `--health-addr` host means, and
/// binding it.
extension HealthServer {
    /// A host to listen on, as `--health-addr` spells it.
    enum ListenAddress: Equatable {
        /// Every interface, IPv6 and IPv4 (an empty host, `::` or `[::]`); IPv4 only where the
        /// system has no IPv6.
        case anyDualStack
        case ipv4(String)
        case ipv6(String)

        /// Parses a host: empty, an IPv4 literal, an IPv6 literal with or without brackets, or
        /// `localhost` (127.0.0.1). Nil for anything else (host names are not resolved).
        init?(host: String) {
            var host = host
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty || host == "::" {
                self = .anyDualStack
                return
            }
            if host == "localhost" { host = "127.0.0.1" }
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, host, &v4) == 1 {
                self = .ipv4(host)
            } else if inet_pton(AF_INET6, host, &v6) == 1 {
                self = .ipv6(host)
            } else {
                return nil
            }
        }
    }

    /// A bound, listening, non-blocking socket and the port it got.
    static func listen(on address: ListenAddress, port: Int, backlog: Int32) throws -> (fd: Int32, port: Int, address: String) {
        switch address {
        case .ipv4(let host):
            return try listen4(host, port: port, backlog: backlog)
        case .ipv6(let host):
            return try listen6(host, port: port, backlog: backlog, dualStack: false)
        case .anyDualStack:
            do {
                return try listen6("::", port: port, backlog: backlog, dualStack: true)
            } catch let error as HealthServerError where error.addressFamilyUnsupported {
                return try listen4("0.0.0.0", port: port, backlog: backlog)
            }
        }
    }

    private static func listen4(_ host: String, port: Int, backlog: Int32) throws -> (fd: Int32, port: Int, address: String) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        _ = inet_pton(AF_INET, host, &address.sin_addr)
        let fd = try socket(AF_INET, host: host, port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try finish(fd, bound: bound, backlog: backlog, display: "\(host):\(port)")
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let actualPort = Int(UInt16(bigEndian: actual.sin_port))
        return (fd, actualPort, "\(host):\(actualPort)")
    }

    private static func listen6(_ host: String, port: Int, backlog: Int32, dualStack: Bool) throws -> (fd: Int32, port: Int, address: String) {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        _ = inet_pton(AF_INET6, host, &address.sin6_addr)
        let fd = try socket(AF_INET6, host: "[\(host)]", port: port)
        var v6only: Int32 = dualStack ? 0 : 1
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        try finish(fd, bound: bound, backlog: backlog, display: "[\(host)]:\(port)")
        var actual = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let actualPort = Int(UInt16(bigEndian: actual.sin6_port))
        return (fd, actualPort, "[\(host)]:\(actualPort)")
    }

    private static func socket(_ family: Int32, host: String, port: Int) throws -> Int32 {
        #if canImport(Glibc)
            let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = Darwin.socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else {
            let code = errno
            throw HealthServerError("cannot listen on \(host):\(port): socket: \(String(cString: strerror(code)))", errno: code)
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setNonBlocking(fd)
        return fd
    }

    private static func finish(_ fd: Int32, bound: Int32, backlog: Int32, display: String) throws {
        #if canImport(Glibc)
            let listening = bound == 0 ? Glibc.listen(fd, backlog) : -1
        #else
            let listening = bound == 0 ? Darwin.listen(fd, backlog) : -1
        #endif
        guard listening == 0 else {
            let code = errno
            close(fd)
            throw HealthServerError("cannot listen on \(display): \(String(cString: strerror(code)))", errno: code)
        }
    }

    /// Marks `fd` non-blocking and close-on-exec (exec credential plugins must not inherit it).
    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        #if canImport(Darwin)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Flags for `send`: never raise SIGPIPE on a connection the peer has closed (Darwin sets
    /// `SO_NOSIGPIPE` on the socket instead).
    static var sendFlags: Int32 {
        #if canImport(Glibc)
            Int32(MSG_NOSIGNAL)
        #else
            0
        #endif
    }
}

/// The health server could not start: the address is invalid or cannot be bound.
public struct HealthServerError: Error, CustomStringConvertible {
    public var description: String
    /// The `errno` of the failed system call, when one failed.
    public var code: Int32?

    init(_ description: String, errno code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    var addressFamilyUnsupported: Bool { code == EAFNOSUPPORT || code == EADDRNOTAVAIL || code == EPROTONOSUPPORT }
}
