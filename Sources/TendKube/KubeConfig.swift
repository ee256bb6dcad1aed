import TendValue

/// A kubeconfig file's contents, as kubectl reads them (`clientcmd/api/v1` `Config`).
///
/// Only what Tend uses is modelled; unknown fields are ignored, as kubectl ignores them.
/// File paths inside a kubeconfig (`certificate-authority`, `client-certificate`, `client-key`,
/// `tokenFile`, exec `command` when it contains a `/`) are resolved against the directory of the file
/// that defined them, as kubectl does, when the file is loaded.
public struct KubeConfig: Sendable, Hashable {
    public var currentContext: String?
    public var clusters: [String: Cluster]
    public var users: [String: User]
    public var contexts: [String: Context]
    /// Names in the order first seen, for stable listings.
    public var clusterOrder: [String] = []
    public var userOrder: [String] = []
    public var contextOrder: [String] = []

    public init(currentContext: String? = nil, clusters: [String: Cluster] = [:], users: [String: User] = [:], contexts: [String: Context] = [:]) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        clusterOrder = clusters.keys.sorted()
        userOrder = users.keys.sorted()
        contextOrder = contexts.keys.sorted()
    }

    public struct Cluster: Sendable, Hashable {
        public var server: String
        public var certificateAuthority: String?
        /// PEM bytes decoded from `certificate-authority-data`.
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool = false
        public var tlsServerName: String?
        /// `proxy-url`: every request to this cluster goes through this proxy (`http`, `https` or
        /// `socks5`), whatever the `*_PROXY` environment variables say.
        public var proxyURL: String?

        public init(server: String) { self.server = server }
    }

    public struct User: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?

        public init() {}

        public var customMirror: Mirror { Mirror(self, children: ["kinds": description]) }

        /// Names which credentials are set, never their values.
        public var description: String {
            var kinds: [String] = []
            if token != nil { kinds.append("token") }
            if tokenFile != nil { kinds.append("tokenFile") }
            if clientCertificate != nil || clientCertificateData != nil { kinds.append("client-certificate") }
            if username != nil { kinds.append("basic") }
            if exec != nil { kinds.append("exec") }
            return "User(\(kinds.joined(separator: ", ")))"
        }
    }

    /// An exec credential plugin (`client.authentication.k8s.io` ExecCredential).
    public struct ExecConfig: Sendable, Hashable {
        public var apiVersion: String
        public var command: String
        public var args: [String] = []
        public var env: [(name: String, value: String)] = []
        public var installHint: String?
        public var provideClusterInfo: Bool = false

        public init(apiVersion: String, command: String) {
            self.apiVersion = apiVersion
            self.command = command
        }

        public static func == (a: ExecConfig, b: ExecConfig) -> Bool {
            a.apiVersion == b.apiVersion && a.command == b.command && a.args == b.args
                && a.env.map(\.name) == b.env.map(\.name) && a.env.map(\.value) == b.env.map(\.value)
                && a.installHint == b.installHint && a.provideClusterInfo == b.provideClusterInfo
        }

        public func hash(into h: inout Hasher) {
            h.combine(apiVersion)
            h.combine(command)
            h.combine(args)
        }
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?

        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }
}

/// A kubeconfig could not be read, parsed or used.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file concerned, when there is one.
    public var file: String?
    /// The field concerned, e.g. `users[0].user.exec.command`.
    public var field: String?
    public var message: String

    public init(file: String? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        var prefix = "kubeconfig"
        if let file { prefix += " \(file)" }
        if let field { prefix += ": \(field)" }
        return "\(prefix): \(message)"
    }
}
