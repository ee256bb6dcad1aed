import Foundation
import TendHTTP
import TendYAML
import TendValue

/// Finds and resolves the client configuration the way kubectl and controller-runtime do.
///
/// Precedence:
/// 1. an explicit path (`--kubeconfig`): the file must exist;
/// 2. `KUBECONFIG`: a colon-separated list of files, merged (the first file to define a name wins,
///    and the first `current-context` wins); files that do not exist are skipped;
/// 3. `~/.kube/config`, when it exists;
/// 4. in-cluster: when `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are set, the pod's
///    service-account token, CA certificate and namespace.
///
/// The context is `context` when given, else the kubeconfig's `current-context`. Requests go
/// through the cluster's `proxy-url` when it has one, else through the proxy `HTTPS_PROXY`,
/// `HTTP_PROXY` and `NO_PROXY` in ``environment`` choose, as kubectl does (``TendHTTP/HTTPProxy``).
public struct KubeConfigLoader: Sendable {
    public var explicitPath: String?
    public var context: String?
    /// Overrides the context's namespace (`--namespace`).
    public var namespace: String?
    /// The environment to read (`KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_*`); the process's by default.
    public var environment: [String: String]
    /// Where a pod's service-account files are mounted.
    public var serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public init(
        explicitPath: String? = nil, context: String? = nil, namespace: String? = nil,
        environment: [String: String]? = nil
    ) {
        self.explicitPath = explicitPath
        self.context = context
        self.namespace = namespace
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    /// Resolves the configuration to use.
    /// - Throws: ``KubeConfigError`` naming the file and field, or saying that no configuration was found.
    public func load() throws(KubeConfigError) -> ClientConfiguration {
        let files = try kubeconfigFiles()
        var config: ClientConfiguration
        if files.isEmpty {
            guard let inCluster = try InClusterConfig.load(environment: environment, directory: serviceAccountDirectory) else {
                throw KubeConfigError(
                    "no configuration found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod")
            }
            config = inCluster
            config.proxy = .environment(ProxyEnvironment(environment))
        } else {
            var merged = KubeConfig()
            for file in files { merged.merge(try Self.read(file)) }
            config = try resolve(merged, files: files)
        }
        if let namespace, !namespace.isEmpty { config.namespace = namespace }
        return config
    }

    /// The kubeconfig files that apply, in precedence order.
    public func kubeconfigFiles() throws(KubeConfigError) -> [String] {
        if let explicitPath, !explicitPath.isEmpty {
            guard FileManager.default.fileExists(atPath: explicitPath) else {
                throw KubeConfigError(file: explicitPath, "file does not exist")
            }
            return [explicitPath]
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter {
                !$0.isEmpty && FileManager.default.fileExists(atPath: $0) && seen.insert($0).inserted
            }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let defaultPath = (home as NSString).appendingPathComponent(".kube/config")
        return FileManager.default.fileExists(atPath: defaultPath) ? [defaultPath] : []
    }

    /// Reads and decodes one kubeconfig file.
    public static func read(_ file: String) throws(KubeConfigError) -> KubeConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw KubeConfigError(file: file, "cannot read file")
        }
        let document: YAMLDocument
        do {
            document = try YAML.parse(String(decoding: data, as: UTF8.self), file: file)
        } catch {
            throw KubeConfigError(file: file, "\(error.diagnostic)")
        }
        return try KubeConfig(decoding: document.value, file: file)
    }

    /// Picks the context and turns it into a client configuration.
    public func resolve(_ config: KubeConfig, files: [String]) throws(KubeConfigError) -> ClientConfiguration {
        let where_ = files.count == 1 ? files[0] : "KUBECONFIG (\(files.count) files)"
        guard let contextName = context ?? config.currentContext else {
            throw KubeConfigError(file: where_, "no current-context is set; pass --context (contexts: \(list(config.contextOrder)))")
        }
        guard let ctx = config.contexts[contextName] else {
            throw KubeConfigError(file: where_, "no context named \"\(contextName)\" (contexts: \(list(config.contextOrder)))")
        }
        guard let cluster = config.clusters[ctx.cluster] else {
            throw KubeConfigError(file: where_, field: "contexts[\(contextName)].cluster", "no cluster named \"\(ctx.cluster)\"")
        }
        guard !cluster.server.isEmpty else {
            throw KubeConfigError(file: where_, field: "clusters[\(ctx.cluster)].server", "the cluster has no server URL")
        }
        var out = ClientConfiguration(server: cluster.server, source: "context \"\(contextName)\" in \(where_)")
        if let data = cluster.certificateAuthorityData {
            out.certificateAuthority = .data(data)
        } else if let file = cluster.certificateAuthority {
            out.certificateAuthority = .file(file)
        }
        out.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify
        out.tlsServerName = cluster.tlsServerName
        out.proxy = cluster.proxyURL.map(HTTPProxy.url) ?? .environment(ProxyEnvironment(environment))
        if !ctx.user.isEmpty {
            guard let user = config.users[ctx.user] else {
                throw KubeConfigError(file: where_, field: "contexts[\(contextName)].user", "no user named \"\(ctx.user)\"")
            }
            var creds = ClientConfiguration.Credentials()
            creds.token = user.token.flatMap { $0.isEmpty ? nil : $0 }
            if creds.token == nil { creds.tokenFile = user.tokenFile }
            creds.clientCertificate = user.clientCertificateData.map { .data($0) } ?? user.clientCertificate.map { .file($0) }
            creds.clientKey = user.clientKeyData.map { .data($0) } ?? user.clientKey.map { .file($0) }
            if (creds.clientCertificate == nil) != (creds.clientKey == nil) {
                throw KubeConfigError(file: where_, field: "users[\(ctx.user)]", "a client certificate needs both a certificate and a key")
            }
            if let u = user.username, let p = user.password { creds.basicAuth = (u, p) }
            creds.exec = user.exec
            out.credentials = creds
        }
        out.namespace = ctx.namespace ?? "default"
        return out
    }

    private func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
}
