import Foundation

/// The configuration a pod gets from its service account.
enum InClusterConfig {
    /// The in-cluster configuration, or nil when not running in a pod (no `KUBERNETES_SERVICE_HOST`).
    /// - Throws: when the environment says "pod" but the token file is missing.
    static func load(environment: [String: String], directory: String) throws(KubeConfigError) -> ClientConfiguration? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return nil }
        let tokenFile = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.fileExists(atPath: tokenFile) else {
            throw KubeConfigError(file: tokenFile, "running in a pod, but the service-account token is missing (automountServiceAccountToken: false?)")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        var config = ClientConfiguration(server: "https://\(hostPart):\(port)", source: "in-cluster")
        let ca = (directory as NSString).appendingPathComponent("ca.crt")
        if FileManager.default.fileExists(atPath: ca) { config.certificateAuthority = .file(ca) }
        config.credentials.tokenFile = tokenFile
        let nsFile = (directory as NSString).appendingPathComponent("namespace")
        if let data = FileManager.default.contents(atPath: nsFile) {
            let ns = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !ns.isEmpty { config.namespace = ns }
        }
        return config
    }
}
