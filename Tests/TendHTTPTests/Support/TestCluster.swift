import Foundation
import Glibc
import Testing
import TendHTTP

/// The local control plane the cluster tests talk to (started by `scripts/local-cluster up`).
///
/// Located through the environment:
/// - `TEND_CLUSTER_DIR`: the cluster directory (`ca.crt`, `admin.crt`, `admin.key`, `token`,
///   `kubeconfig`, `server`). The URL comes from `server`, else from the kubeconfig.
/// - else `KUBECONFIG`: `server:`, `certificate-authority:`, `client-certificate:`,
///   `client-key:` and `token:` lines are read with a plain line scan (no YAML parser).
///
/// Rule: with no reachable cluster the cluster tests are skipped, except under `CI=true`, where
/// they run and fail with a message saying how to provide a cluster.
struct TestCluster: Sendable {
    var server: String
    var caFile: String
    var clientCertificateFile: String?
    var clientKeyFile: String?
    var token: String?

    static let isCI: Bool = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The configured and reachable cluster, or why there is none.
    static let located: Result<TestCluster, ClusterUnavailable> = locate()

    /// Whether cluster tests should run: a cluster is there, or we are under CI (and must fail).
    static var shouldRun: Bool {
        if case .success = located { return true }
        return isCI
    }

    /// The cluster, or a thrown error explaining how to provide one.
    static func require() throws -> TestCluster {
        try located.get()
    }

    struct ClusterUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    private static func locate() -> Result<TestCluster, ClusterUnavailable> {
        let env = ProcessInfo.processInfo.environment
        let hint = "start one with `TEND_CLUSTER_DIR=<dir> scripts/local-cluster up` and export TEND_CLUSTER_DIR (or KUBECONFIG)"
        var cluster: TestCluster
        if let dir = env["TEND_CLUSTER_DIR"], !dir.isEmpty {
            let kubeconfig = KubeconfigScan(path: "\(dir)/kubeconfig")
            guard let server = read("\(dir)/server")?.trimmed ?? kubeconfig?.server else {
                return .failure(ClusterUnavailable(description: "no cluster: \(dir)/server and \(dir)/kubeconfig missing; \(hint)"))
            }
            cluster = TestCluster(
                server: server, caFile: "\(dir)/ca.crt", clientCertificateFile: "\(dir)/admin.crt",
                clientKeyFile: "\(dir)/admin.key", token: read("\(dir)/token")?.trimmed)
        } else if let path = env["KUBECONFIG"], !path.isEmpty, let scan = KubeconfigScan(path: path),
                  let server = scan.server, let ca = scan.certificateAuthority {
            cluster = TestCluster(server: server, caFile: ca, clientCertificateFile: scan.clientCertificate,
                                  clientKeyFile: scan.clientKey, token: scan.token)
        } else {
            return .failure(ClusterUnavailable(description: "no cluster configured (TEND_CLUSTER_DIR/KUBECONFIG unset); \(hint)"))
        }
        cluster.server = cluster.server.hasSuffix("/") ? String(cluster.server.dropLast()) : cluster.server
        guard isReachable(cluster.server) else {
            return .failure(ClusterUnavailable(description: "cluster at \(cluster.server) is not reachable; \(hint)"))
        }
        return .success(cluster)
    }

    /// Client configuration: TLS verified with the cluster CA, admin client certificate.
    func adminConfiguration() -> HTTPClient.Configuration {
        var config = HTTPClient.Configuration(certificateAuthority: .file(caFile), connectTimeout: .seconds(5))
        if let clientCertificateFile, let clientKeyFile {
            config.clientCertificate = .files(certificate: clientCertificateFile, key: clientKeyFile)
        }
        config.requestTimeout = .seconds(60)
        return config
    }

    func url(_ path: String) -> String { server + path }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// TCP connect to the server's host and port (loopback clusters only), 2 s at most.
    private static func isReachable(_ server: String) -> Bool {
        guard let afterScheme = server.range(of: "://")?.upperBound else { return false }
        let authority = server[afterScheme...].prefix { $0 != "/" }
        let pieces = authority.split(separator: ":")
        guard pieces.count == 2, let port = UInt16(pieces[1]) else { return false }
        let host = pieces[0] == "localhost" ? "127.0.0.1" : String(pieces[0])
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// The few kubeconfig fields the tests need, by line scan (first occurrence of each key).
struct KubeconfigScan {
    var server: String?
    var certificateAuthority: String?
    var clientCertificate: String?
    var clientKey: String?
    var token: String?

    init?(path: String) {
        guard let text = TestCluster.read(path) else { return nil }
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            func value(_ key: String) -> String? {
                guard line.hasPrefix(key + ":") else { return nil }
                var v = line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
                if v.count >= 2, (v.hasPrefix("\"") && v.hasSuffix("\"")) || (v.hasPrefix("'") && v.hasSuffix("'")) {
                    v = String(v.dropFirst().dropLast())
                }
                return v
            }
            server = server ?? value("server")
            certificateAuthority = certificateAuthority ?? value("certificate-authority")
            clientCertificate = clientCertificate ?? value("client-certificate")
            clientKey = clientKey ?? value("client-key")
            token = token ?? value("token")
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
