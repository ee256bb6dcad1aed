/// Which proxy, if any, a request goes through: the rules kubectl (Go's `net/http`) follows.
///
/// - ``none``: every request connects directly.
/// - ``url(_:)``: every request goes through this proxy (a kubeconfig cluster's `proxy-url`;
///   `http://`, `https://` or `socks5://`, credentials in the URL allowed). `NO_PROXY` does not
///   apply, as in kubectl.
/// - ``environment(_:)``: `HTTPS_PROXY` for `https` URLs and `HTTP_PROXY` for `http` URLs, except
///   for hosts `NO_PROXY` names and for loopback hosts (`localhost`, 127.0.0.0/8, ::1), which Go
///   never proxies (see ``ProxyEnvironment``).
///
/// HTTPS requests through an HTTP proxy are tunnelled with `CONNECT`; TLS to the API server is
/// verified end to end as without a proxy.
public enum HTTPProxy: Sendable, Hashable, CustomStringConvertible {
    case none
    case url(String)
    case environment(ProxyEnvironment)

    /// The proxy URL for a request to `url`, or nil to connect directly.
    public func proxy(for url: String) -> String? {
        switch self {
        case .none: return nil
        case .url(let proxy): return proxy.isEmpty ? nil : proxy
        case .environment(let environment): return environment.proxy(for: url)
        }
    }

    /// Never shows credentials a proxy URL may hold.
    public var description: String {
        switch self {
        case .none: "none"
        case .url(let proxy): "url(\(URLRedaction.redact(proxy)))"
        case .environment(let environment): "environment(\(environment))"
        }
    }
}

/// The proxy settings of an environment, read as Go's `httpproxy.FromEnvironment` reads them:
/// `HTTPS_PROXY` or `https_proxy`, `HTTP_PROXY` or `http_proxy`, `NO_PROXY` or `no_proxy` (the
/// upper-case name wins).
///
/// `NO_PROXY` is a comma-separated list: `*` (nothing is proxied), an IP address, a CIDR block
/// (`10.0.0.0/8`), or a domain: `example.com` matches it and its subdomains, `.example.com` and
/// `*.example.com` only its subdomains; any entry may end in `:port` to match that port only.
/// Loopback hosts are never proxied. A proxy value without a scheme means `http://`.
public struct ProxyEnvironment: Sendable, Hashable, CustomStringConvertible {
    public var httpProxy: String?
    public var httpsProxy: String?
    public var noProxy: String?

    public init(httpProxy: String? = nil, httpsProxy: String? = nil, noProxy: String? = nil) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// The settings in `environment`.
    public init(_ environment: [String: String]) {
        func any(_ names: String...) -> String? { names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty } }
        self.init(
            httpProxy: any("HTTP_PROXY", "http_proxy"), httpsProxy: any("HTTPS_PROXY", "https_proxy"),
            noProxy: any("NO_PROXY", "no_proxy"))
    }

    /// The proxy URL for a request to `url`, or nil to connect directly.
    public func proxy(for url: String) -> String? {
        guard let target = ProxyTarget(url) else { return nil }
        let configured = target.scheme == "https" ? httpsProxy : (target.scheme == "http" ? httpProxy : nil)
        guard let configured, !configured.isEmpty, !target.isLoopback, !bypasses(target) else { return nil }
        return configured.contains("://") ? configured : "http://" + configured
    }

    /// Whether `NO_PROXY` names the target.
    func bypasses(_ target: ProxyTarget) -> Bool {
        guard let noProxy else { return false }
        for raw in noProxy.split(separator: ",") {
            var entry = raw.trimmed(" \t").lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return true }
            if entry.contains("/") {
                if let ip = target.ip, ProxyTarget.cidr(entry, contains: ip) { return true }
                continue
            }
            var port: String?
            if let split = ProxyTarget.splitHostPort(entry) {
                entry = split.host
                port = split.port
            }
            if let port, port != target.port { continue }
            if let ip = ProxyTarget.parseIP(entry) {
                if ip == target.ip { return true }
                continue
            }
            if entry.hasPrefix("*.") { entry.removeFirst() }
            if entry.hasPrefix(".") {
                if target.host.hasSuffix(entry) { return true }
            } else if target.host == entry || target.host.hasSuffix("." + entry) {
                return true
            }
        }
        return false
    }

    public var description: String {
        var parts: [String] = []
        if let httpsProxy { parts.append("HTTPS_PROXY=\(URLRedaction.redact(httpsProxy))") }
        if let httpProxy { parts.append("HTTP_PROXY=\(URLRedaction.redact(httpProxy))") }
        if let noProxy { parts.append("NO_PROXY=\(noProxy)") }
        return parts.isEmpty ? "none set" : parts.joined(separator: ", ")
    }
}

extension Substring {
    fileprivate func trimmed(_ set: String) -> String {
        let characters = Set(set)
        var s = self
        while let first = s.first, characters.contains(first) { s.removeFirst() }
        while let last = s.last, characters.contains(last) { s.removeLast() }
        return String(s)
    }
}
