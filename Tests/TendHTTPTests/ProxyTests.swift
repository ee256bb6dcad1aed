import TendHTTP
import Testing

/// Which requests go through which proxy: Go's `net/http` rules, which kubectl follows.
struct ProxyTests {
    let environment = ProxyEnvironment([
        "HTTPS_PROXY": "http://secure-proxy:3128", "http_proxy": "plain-proxy:8080",
        "NO_PROXY": "internal.example.com, .svc, *.corp.example, 10.0.0.0/8, 192.168.1.7, fd00::/8, port.example.com:8443",
    ])

    @Test(arguments: [
        ("https://api.example.com:6443/api", "http://secure-proxy:3128"),
        ("http://api.example.com/api", "http://plain-proxy:8080"),  // no scheme: http://
        // NO_PROXY: a domain matches itself and its subdomains; a leading dot or *. only subdomains.
        ("https://internal.example.com/api", nil),
        ("https://a.internal.example.com/api", nil),
        ("https://notinternal.example.com/api", "http://secure-proxy:3128"),
        ("https://kubernetes.default.svc/api", nil),
        ("https://svc/api", "http://secure-proxy:3128"),
        ("https://x.corp.example/api", nil),
        ("https://corp.example/api", "http://secure-proxy:3128"),
        // IP addresses and CIDR blocks.
        ("https://10.1.2.3:6443/api", nil),
        ("https://11.1.2.3:6443/api", "http://secure-proxy:3128"),
        ("https://192.168.1.7/api", nil),
        ("https://192.168.1.8/api", "http://secure-proxy:3128"),
        ("https://[fd00::1]:6443/api", nil),
        ("https://[fe80::1]:6443/api", "http://secure-proxy:3128"),
        // An entry with a port matches that port only.
        ("https://port.example.com:8443/api", nil),
        ("https://port.example.com/api", "http://secure-proxy:3128"),
        // Loopback is never proxied (Go's net/http), NO_PROXY or not.
        ("https://127.0.0.1:6443/api", nil),
        ("https://127.1.2.3:6443/api", nil),
        ("https://localhost:6443/api", nil),
        ("https://[::1]:6443/api", nil),
        // Credentials in the request URL do not change the host.
        ("https://user:pass@api.example.com/api", "http://secure-proxy:3128"),
    ] as [(String, String?)])
    func environmentRules(url: String, proxy: String?) {
        #expect(environment.proxy(for: url) == proxy, "\(url)")
        #expect(HTTPProxy.environment(environment).proxy(for: url) == proxy)
    }

    @Test func anAsteriskBypassesEverythingAndUpperCaseWins() {
        #expect(ProxyEnvironment(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"]).proxy(for: "https://api.example.com") == nil)
        let both = ProxyEnvironment(["HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"])
        #expect(both.proxy(for: "https://api.example.com") == "http://upper:1")
        #expect(ProxyEnvironment([:]).proxy(for: "https://api.example.com") == nil)
    }

    @Test func anExplicitProxyAppliesToEveryHostAndHidesCredentials() {
        let proxy = HTTPProxy.url("http://user:secret@proxy.example.com:3128")
        #expect(proxy.proxy(for: "https://127.0.0.1:6443/api") == "http://user:secret@proxy.example.com:3128")
        #expect(!"\(proxy)".contains("secret"))
        #expect(HTTPProxy.none.proxy(for: "https://api.example.com") == nil)
        var configuration = HTTPClient.Configuration()
        configuration.proxy = proxy
        #expect(!configuration.description.contains("secret"))
        #expect(configuration.description.contains("proxy.example.com"))
    }
}
