#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The parts of a request URL that decide whether it is proxied: scheme, host and port.
struct ProxyTarget: Equatable {
    var scheme: String
    /// Lower case, without IPv6 brackets.
    var host: String
    /// Explicit, or the scheme's default.
    var port: String
    /// The host as an IP address (16 bytes for IPv6, 4 for IPv4), when it is one.
    var ip: [UInt8]?

    init?(_ url: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        scheme = url[..<colon].lowercased()
        var authority = url[url.index(colon, offsetBy: 3)...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { authority = authority[..<end] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let defaultPort = scheme == "https" ? "443" : "80"
        if let split = Self.splitHostPort(String(authority)) {
            host = split.host
            port = split.port
        } else {
            host = String(authority).lowercased()
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            port = defaultPort
        }
        guard !host.isEmpty else { return nil }
        ip = Self.parseIP(host)
    }

    /// `localhost`, 127.0.0.0/8 or ::1: Go's `net/http` never sends these through a proxy.
    var isLoopback: Bool {
        if host == "localhost" { return true }
        guard let ip else { return false }
        if ip.count == 4 { return ip[0] == 127 }
        return ip == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// `host:port` or `[v6]:port` into lower-cased host (no brackets) and port; nil without a port.
    static func splitHostPort(_ text: String) -> (host: String, port: String)? {
        let text = text.lowercased()
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), rest.count > 1 else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), String(rest.dropFirst()))
        }
        guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return nil }  // bare IPv6: no port
        let port = text[text.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return nil }
        return (String(text[..<colon]), String(port))
    }

    /// The bytes of an IPv4 or IPv6 literal.
    static func parseIP(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether `ip` is inside `cidr` (`10.0.0.0/8`, `fd00::/8`).
    static func cidr(_ cidr: String, contains ip: [UInt8]) -> Bool {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let network = parseIP(String(parts[0])), network.count == ip.count,
            let bits = Int(parts[1]), (0...(ip.count * 8)).contains(bits)
        else { return false }
        for i in 0..<ip.count {
            let remaining = bits - i * 8
            if remaining <= 0 { break }
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if network[i] & mask != ip[i] & mask { return false }
        }
        return true
    }
}
