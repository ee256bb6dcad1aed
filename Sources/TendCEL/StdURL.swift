/// The Kubernetes URL library: `url(s)` parses an absolute URI or an absolute path (as Go's
/// `url.ParseRequestURI`), `isURL(s)`, and on a URL `getScheme()`, `getHost()` (with the port;
/// IPv6 in brackets), `getHostname()` (no port, no brackets), `getPort()`, `getEscapedPath()` and
/// `getQuery()` (a map from each key to its list of values).
public struct CELURL: Sendable, Hashable {
    /// The text the URL was parsed from.
    public let text: String
    let scheme: String
    let host: String
    let path: String
    let rawQuery: String?

    init?(_ s: String) {
        text = s
        var rest = Substring(s)
        if let q = rest.firstIndex(of: "?") {
            rawQuery = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        } else {
            rawQuery = nil
        }
        guard !s.contains(where: { $0 == " " || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false }) else { return nil }
        if rest.hasPrefix("/") {
            scheme = ""
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                let end = rest.firstIndex(of: "/") ?? rest.endIndex
                host = String(rest[..<end])
                path = String(rest[end...])
            } else {
                host = ""
                path = String(rest)
            }
            return
        }
        guard let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isASCII, first.isLetter,
              rest[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        scheme = String(rest[..<colon]).lowercased()
        rest = rest[rest.index(after: colon)...]
        guard rest.hasPrefix("/") else { return nil }  // an opaque URI is not a request URI
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            host = String(authority)
            path = String(rest[end...])
        } else {
            host = ""
            path = String(rest)
        }
        if host.hasPrefix("[") && !host.contains("]") { return nil }
    }

    /// The host without the port; an IPv6 address without its brackets.
    var hostname: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[host.index(after: host.startIndex)..<close]) }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    /// The port, or `""`.
    var port: String {
        let afterHost = host.hasPrefix("[") ? host.firstIndex(of: "]").map { host[host.index(after: $0)...] } ?? "" : Substring(host)
        guard let colon = afterHost.lastIndex(of: ":") else { return "" }
        return String(afterHost[afterHost.index(after: colon)...])
    }

    /// The query parameters: each key with its values in order; `+` and `%XX` decoded.
    var query: CELValue {
        var keys: [String] = [], values: [String: [String]] = [:]
        for part in (rawQuery ?? "").split(separator: "&", omittingEmptySubsequences: true) where !part.contains(";") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = Self.unescape(kv[0]), let v = Self.unescape(kv.count > 1 ? kv[1] : "") else { continue }
            if values[k] == nil { keys.append(k) }
            values[k, default: []].append(v)
        }
        return .map(CELMap(keys: keys.map { .string($0) }, values: keys.map { .list(CELList(values[$0]!.map { .string($0) })) })!)
    }

    static func unescape(_ s: Substring) -> String? {
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") { out.append(0x20); continue }
            guard c == UInt8(ascii: "%") else { out.append(c); continue }
            guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            out.append(v)
            it = it.dropFirst(2)
        }
        return String(validating: out, as: UTF8.self)
    }
}

extension FunctionTable {
    mutating func addURL() {
        add("url", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("url", v) }
            guard let u = CELURL(s) else { throw CELError("URL parse error during conversion from string: \(quoteString(s)) is not an absolute URI or absolute path") }
            return .opaque(.url(u))
        }
        add("isURL", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("isURL", v) }
            return .bool(CELURL(s) != nil)
        }
        let accessors: [(String, @Sendable (CELURL) -> CELValue)] = [
            ("getScheme", { .string($0.scheme) }), ("getHost", { .string($0.host) }),
            ("getHostname", { .string($0.hostname) }), ("getPort", { .string($0.port) }),
            ("getEscapedPath", { .string($0.path) }), ("getQuery", { $0.query }),
        ]
        for (name, f) in accessors {
            add(name, member: true) { (v: CELValue) throws(CELError) -> CELValue in
                guard case .opaque(.url(let u)) = v else { throw .noOverload(name, v) }
                return f(u)
            }
        }
    }
}
