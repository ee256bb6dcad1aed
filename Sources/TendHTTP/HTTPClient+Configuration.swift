public import Logging

/// A bearer token. Its value is never printed: `description`, `debugDescription` and
/// reflection (`dump`) all show `<redacted>`.
public struct BearerToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The raw token; read it only to put it on the wire.
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "BearerToken(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension HTTPClient {
    /// Where trusted CA certificates come from.
    public enum CertificateAuthority: Sendable, CustomStringConvertible {
        /// A PEM file on disk, read again for every new connection: a CA bundle rotated on disk
        /// (an in-cluster `ca.crt`, a kubeconfig's `certificate-authority`) verifies the next
        /// connection without a restart. Connections already open keep working. (libcurl ≥ 7.87
        /// would otherwise cache the parsed file for 24 h; the client turns that cache off.)
        case file(String)
        /// PEM bytes held in memory (e.g. `certificate-authority-data` from a kubeconfig).
        case pem([UInt8])

        public var description: String {
            switch self {
            case .file(let path): "file(\(path))"
            case .pem(let bytes): "pem(\(bytes.count) bytes)"
            }
        }
    }

    /// A TLS client certificate and its private key, both PEM.
    public enum ClientCertificate: Sendable, CustomStringConvertible, CustomReflectable {
        case files(certificate: String, key: String)
        case pem(certificate: [UInt8], key: [UInt8])

        public var description: String {
            switch self {
            case .files(let cert, let key): "files(certificate: \(cert), key: \(key))"
            case .pem(let cert, _): "pem(certificate: \(cert.count) bytes, key: <redacted>)"
            }
        }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }

    /// Which HTTP versions to offer.
    public enum HTTPVersionPreference: Sendable, Hashable {
        /// HTTP/2 over TLS when ALPN agrees, HTTP/1.1 otherwise and for plain `http`.
        case http2IfAvailable
        /// Always HTTP/1.1.
        case http1_1
    }

    /// Everything the client needs to know up front. A value; the client copies it at start.
    ///
    /// Printing it (`description`, `debugDescription`, `dump`) never shows the token or key bytes.
    public struct Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// CAs that verify the server. nil: the system trust store. When set, *only* these CAs
        /// are trusted (the system store is not consulted).
        public var certificateAuthority: CertificateAuthority?
        /// Client certificate for mutual TLS.
        public var clientCertificate: ClientCertificate?
        /// Sent as `Authorization: Bearer …` unless a request sets its own `Authorization`.
        public var bearerToken: BearerToken?
        /// Disables server certificate and host name verification. Explicit opt-in for
        /// throwaway test setups only.
        public var insecureSkipTLSVerify: Bool
        /// Verify the server certificate against this name instead of the URL's host (and send
        /// it as SNI). Implemented with `CURLOPT_CONNECT_TO`: the request URL's host is replaced
        /// by this name and the connection goes to the original host and port, so the `Host`
        /// header carries this name too.
        public var tlsServerName: String?
        /// The proxy requests go through (``HTTPProxy``); `.none` by default. libcurl's own reading
        /// of `*_proxy` variables is always off: the environment counts only through
        /// ``HTTPProxy/environment(_:)``.
        public var proxy: HTTPProxy = .none
        /// Limit for name resolution, TCP connect and TLS handshake.
        public var connectTimeout: Duration
        /// Default idle-read timeout: a transfer that receives no byte for this long fails with
        /// ``HTTPError/Code/idleTimeout``. Time spent paused for a slow consumer does not count.
        /// nil: none. Requests may override (``HTTPRequest/idleTimeout``).
        public var idleTimeout: Duration?
        /// Default total timeout for ``HTTPClient/execute(_:)``; nil: none. Streams have none
        /// unless the request sets ``HTTPRequest/timeout``.
        public var requestTimeout: Duration?
        public var userAgent: String
        /// Maximum connections per host (HTTP/2 multiplexes many requests over each).
        public var maxConnectionsPerHost: Int
        /// Maximum connections in total.
        public var maxConnections: Int
        public var httpVersion: HTTPVersionPreference
        /// Bytes a stream buffers for its consumer before the transfer is paused (backpressure).
        public var streamBufferLimit: Int
        public var logger: Logger

        public init(
            certificateAuthority: CertificateAuthority? = nil,
            clientCertificate: ClientCertificate? = nil,
            bearerToken: BearerToken? = nil,
            insecureSkipTLSVerify: Bool = false,
            tlsServerName: String? = nil,
            connectTimeout: Duration = .seconds(10),
            idleTimeout: Duration? = .seconds(120),
            requestTimeout: Duration? = nil,
            userAgent: String = "tend",
            maxConnectionsPerHost: Int = 4,
            maxConnections: Int = 32,
            httpVersion: HTTPVersionPreference = .http2IfAvailable,
            streamBufferLimit: Int = 1 << 20,
            logger: Logger = Logger(label: "tend.http")
        ) {
            self.certificateAuthority = certificateAuthority
            self.clientCertificate = clientCertificate
            self.bearerToken = bearerToken
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.userAgent = userAgent
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxConnections = maxConnections
            self.httpVersion = httpVersion
            self.streamBufferLimit = streamBufferLimit
            self.logger = logger
        }

        public var description: String {
            var parts: [String] = []
            if let certificateAuthority { parts.append("ca: \(certificateAuthority)") }
            if let clientCertificate { parts.append("clientCertificate: \(clientCertificate)") }
            if bearerToken != nil { parts.append("bearerToken: <redacted>") }
            if insecureSkipTLSVerify { parts.append("insecureSkipTLSVerify: true") }
            if let tlsServerName { parts.append("tlsServerName: \(tlsServerName)") }
            if proxy != .none { parts.append("proxy: \(proxy)") }
            parts.append("connectTimeout: \(connectTimeout)")
            parts.append("idleTimeout: \(idleTimeout.map { "\($0)" } ?? "none")")
            parts.append("userAgent: \(userAgent)")
            return "HTTPClient.Configuration(" + parts.joined(separator: ", ") + ")"
        }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }
}
