public import TendHTTP

/// Everything needed to talk to one API server as one user: the resolved form of a kubeconfig
/// context or of a pod's in-cluster service account.
///
/// Credentials are never part of `description`: printing a configuration is always safe.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    /// Base URL of the API server, e.g. `https://127.0.0.1:6443`, without a trailing slash.
    public var server: String
    public var certificateAuthority: PEMSource?
    public var insecureSkipTLSVerify = false
    public var tlsServerName: String?
    /// The proxy to reach the server through: the cluster's `proxy-url`, else the
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment (``KubeConfigLoader`` sets it; see
    /// ``TendHTTP/HTTPProxy``). `.none` for a configuration built by hand.
    public var proxy: HTTPProxy = .none
    public var credentials = Credentials()
    /// The namespace of the context (or the pod), `default` when none is set.
    public var namespace = "default"
    /// Where this came from: `context "kind-dev" in ~/.kube/config`, or `in-cluster`.
    public var source: String
    /// Client-side rate limit; see ``RateLimit``.
    public var rateLimit = RateLimit.default
    /// User agent sent with every request.
    public var userAgent = "tend"

    public init(server: String, source: String) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.source = source
    }

    public var description: String {
        "\(server) (\(source), namespace \(namespace), auth: \(credentials))"
    }

    /// PEM data given inline or by file path.
    public enum PEMSource: Sendable, Hashable, CustomStringConvertible {
        case file(String)
        case data([UInt8])
        public var description: String {
            switch self {
            case .file(let p): "file \(p)"
            case .data(let d): "inline PEM (\(d.count) bytes)"
            }
        }
    }

    /// How requests authenticate. Several may be set (a client certificate and a token); the
    /// server accepts the first that authenticates.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        public var token: String?
        /// Re-read at least every minute, so rotated service-account tokens are picked up.
        public var tokenFile: String?
        public var clientCertificate: PEMSource?
        public var clientKey: PEMSource?
        public var basicAuth: (username: String, password: String)?
        public var exec: KubeConfig.ExecConfig?

        public init() {}

        public static func == (a: Credentials, b: Credentials) -> Bool {
            a.token == b.token && a.tokenFile == b.tokenFile && a.clientCertificate == b.clientCertificate
                && a.clientKey == b.clientKey && a.basicAuth?.username == b.basicAuth?.username
                && a.basicAuth?.password == b.basicAuth?.password && a.exec == b.exec
        }

        public func hash(into h: inout Hasher) {
            h.combine(token)
            h.combine(tokenFile)
        }

        /// Reflection (`dump`, debuggers) shows the same redacted summary as `description`.
        public var customMirror: Mirror { Mirror(self, children: ["kinds": description]) }

        /// Which kinds of credential are present; never their values.
        public var description: String {
            var kinds: [String] = []
            if clientCertificate != nil { kinds.append("client certificate") }
            if token != nil { kinds.append("bearer token") }
            if let tokenFile { kinds.append("token file \(tokenFile)") }
            if basicAuth != nil { kinds.append("basic") }
            if let exec { kinds.append("exec plugin \(exec.command)") }
            return kinds.isEmpty ? "none" : kinds.joined(separator: ", ")
        }
    }
}

/// Client-side request rate limit (token bucket).
///
/// Tend's default is 50 requests per second with a burst of 100. client-go defaults to 5/10, which
/// makes a controller that writes once per object take over half an hour for 10,000 objects;
/// controller-runtime removed its limit (since v0.21) and relies on the API server's priority and
/// fairness. Tend keeps a limit, high enough not to be the bottleneck of a normal reconcile loop
/// but low enough that a rule stuck in a hot loop cannot saturate a small API server. Set
/// `qps <= 0` to disable it.
public struct RateLimit: Sendable, Hashable {
    public var qps: Double
    public var burst: Int
    public init(qps: Double, burst: Int) {
        self.qps = qps
        self.burst = max(1, burst)
    }
    public static let `default` = RateLimit(qps: 50, burst: 100)
    public static let unlimited = RateLimit(qps: 0, burst: 1)
}
