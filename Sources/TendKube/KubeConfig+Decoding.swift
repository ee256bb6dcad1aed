import Foundation
public import TendValue

extension KubeConfig {
    /// Decodes a kubeconfig document.
    ///
    /// - Parameters:
    ///   - value: the parsed document.
    ///   - file: the file it came from; relative paths inside are resolved against its directory.
    /// - Throws: ``KubeConfigError`` naming the field for a wrong type or invalid base64 data.
    public init(decoding value: Value, file: String?) throws(KubeConfigError) {
        self.init()
        if value.isNull { return }
        guard case .object = value else { throw KubeConfigError(file: file, "expected a mapping at the top level") }
        let reader = FieldReader(file: file, baseDirectory: file.map { ($0 as NSString).deletingLastPathComponent })
        currentContext = try reader.string(value, "current-context").flatMap { $0.isEmpty ? nil : $0 }
        for (n, entry) in try reader.list(value, "clusters").enumerated() {
            let field = "clusters[\(n)]"
            guard let name = try reader.string(entry, "name", field: field), let body = entry["cluster"] else { continue }
            guard clusters[name] == nil else { continue }  // first definition wins, as in kubectl
            var c = Cluster(server: try reader.string(body, "server", field: "\(field).cluster") ?? "")
            c.certificateAuthority = try reader.path(body, "certificate-authority", field: "\(field).cluster")
            c.certificateAuthorityData = try reader.base64(body, "certificate-authority-data", field: "\(field).cluster")
            c.insecureSkipTLSVerify = try reader.bool(body, "insecure-skip-tls-verify", field: "\(field).cluster") ?? false
            c.tlsServerName = try reader.string(body, "tls-server-name", field: "\(field).cluster")
            if let proxy = try reader.string(body, "proxy-url", field: "\(field).cluster"), !proxy.isEmpty {
                let scheme = proxy.range(of: "://").map { proxy[..<$0.lowerBound].lowercased() } ?? ""
                guard ["http", "https", "socks5"].contains(scheme) else {
                    throw KubeConfigError(
                        file: file, field: "\(field).cluster.proxy-url",
                        "unsupported proxy scheme \"\(scheme)\": use http://, https:// or socks5://")
                }
                c.proxyURL = proxy
            }
            clusters[name] = c
            clusterOrder.append(name)
        }
        for (n, entry) in try reader.list(value, "users").enumerated() {
            let field = "users[\(n)]"
            guard let name = try reader.string(entry, "name", field: field), users[name] == nil else { continue }
            let body = entry["user"] ?? .emptyObject
            let f = "\(field).user"
            var u = User()
            u.token = try reader.string(body, "token", field: f)
            u.tokenFile = try reader.path(body, "tokenFile", field: f)
            u.clientCertificate = try reader.path(body, "client-certificate", field: f)
            u.clientCertificateData = try reader.base64(body, "client-certificate-data", field: f)
            u.clientKey = try reader.path(body, "client-key", field: f)
            u.clientKeyData = try reader.base64(body, "client-key-data", field: f)
            u.username = try reader.string(body, "username", field: f)
            u.password = try reader.string(body, "password", field: f)
            if body["auth-provider"] != nil {
                throw KubeConfigError(
                    file: file, field: "\(f).auth-provider",
                    "auth-provider plugins were removed from Kubernetes clients; use an exec credential plugin")
            }
            if let exec = body["exec"], !exec.isNull {
                u.exec = try reader.exec(exec, field: "\(f).exec")
            }
            users[name] = u
            userOrder.append(name)
        }
        for (n, entry) in try reader.list(value, "contexts").enumerated() {
            let field = "contexts[\(n)]"
            guard let name = try reader.string(entry, "name", field: field), contexts[name] == nil else { continue }
            let body = entry["context"] ?? .emptyObject
            contexts[name] = Context(
                cluster: try reader.string(body, "cluster", field: "\(field).context") ?? "",
                user: try reader.string(body, "user", field: "\(field).context") ?? "",
                namespace: try reader.string(body, "namespace", field: "\(field).context").flatMap { $0.isEmpty ? nil : $0 })
            contextOrder.append(name)
        }
    }

    /// Merges `other` into this configuration with kubectl's rules for `KUBECONFIG` lists: the first
    /// file to define a cluster, user or context name wins, and so does the first `current-context`.
    public mutating func merge(_ other: KubeConfig) {
        if currentContext == nil { currentContext = other.currentContext }
        for name in other.clusterOrder where clusters[name] == nil {
            clusters[name] = other.clusters[name]
            clusterOrder.append(name)
        }
        for name in other.userOrder where users[name] == nil {
            users[name] = other.users[name]
            userOrder.append(name)
        }
        for name in other.contextOrder where contexts[name] == nil {
            contexts[name] = other.contexts[name]
            contextOrder.append(name)
        }
    }
}

/// Typed reads of kubeconfig fields with errors that name the field.
private struct FieldReader {
    let file: String?
    let baseDirectory: String?

    func list(_ v: Value, _ key: String) throws(KubeConfigError) -> [Value] {
        switch v[key] {
        case nil, .null?: return []
        case .array(let a)?: return a
        case let other?: throw KubeConfigError(file: file, field: key, "expected a list, found \(other.typeName)")
        }
    }

    func string(_ v: Value, _ key: String, field: String? = nil) throws(KubeConfigError) -> String? {
        switch v[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?:
            throw KubeConfigError(file: file, field: join(field, key), "expected a string, found \(other.typeName)")
        }
    }

    func bool(_ v: Value, _ key: String, field: String) throws(KubeConfigError) -> Bool? {
        switch v[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?:
            throw KubeConfigError(file: file, field: join(field, key), "expected true or false, found \(other.typeName)")
        }
    }

    /// A file path, made absolute against the kubeconfig's directory.
    func path(_ v: Value, _ key: String, field: String) throws(KubeConfigError) -> String? {
        guard let p = try string(v, key, field: field), !p.isEmpty else { return nil }
        return resolve(p)
    }

    func resolve(_ p: String) -> String {
        if p.hasPrefix("/") { return p }
        if p.hasPrefix("~/") { return NSHomeDirectory() + String(p.dropFirst()) }
        guard let baseDirectory, !baseDirectory.isEmpty else { return p }
        return ((baseDirectory as NSString).appendingPathComponent(p) as NSString).standardizingPath
    }

    func base64(_ v: Value, _ key: String, field: String) throws(KubeConfigError) -> [UInt8]? {
        guard let s = try string(v, key, field: field), !s.isEmpty else { return nil }
        guard let data = Data(base64Encoded: s.filter { !$0.isWhitespace }) else {
            throw KubeConfigError(file: file, field: join(field, key), "invalid base64 data")
        }
        return [UInt8](data)
    }

    func exec(_ v: Value, field: String) throws(KubeConfigError) -> KubeConfig.ExecConfig {
        guard let command = try string(v, "command", field: field), !command.isEmpty else {
            throw KubeConfigError(file: file, field: "\(field).command", "an exec plugin needs a command")
        }
        let apiVersion = try string(v, "apiVersion", field: field) ?? ""
        guard ExecCredentialPlugin.supportedAPIVersions.contains(apiVersion) else {
            throw KubeConfigError(
                file: file, field: "\(field).apiVersion",
                "unsupported exec plugin apiVersion \"\(apiVersion)\" (supported: \(ExecCredentialPlugin.supportedAPIVersions.sorted().joined(separator: ", ")))")
        }
        // A bare command name is looked up on PATH; one with a slash is a path relative to the kubeconfig.
        var config = KubeConfig.ExecConfig(apiVersion: apiVersion, command: command.contains("/") ? resolve(command) : command)
        for (n, arg) in try list(v, "args").enumerated() {
            guard case .string(let s) = arg else {
                throw KubeConfigError(file: file, field: "\(field).args[\(n)]", "expected a string")
            }
            config.args.append(s)
        }
        for (n, e) in try list(v, "env").enumerated() {
            guard let name = try string(e, "name", field: "\(field).env[\(n)]") else { continue }
            config.env.append((name, try string(e, "value", field: "\(field).env[\(n)]") ?? ""))
        }
        config.installHint = try string(v, "installHint", field: field)
        config.provideClusterInfo = try bool(v, "provideClusterInfo", field: field) ?? false
        return config
    }

    private func join(_ field: String?, _ key: String) -> String { field.map { "\($0).\(key)" } ?? key }
}
