import Foundation
import Glibc
import Testing
import TendKube

/// The local control plane the TendKube cluster tests talk to (`scripts/local-cluster up`).
///
/// Found through `TEND_CLUSTER_DIR` (files `kubeconfig`, `kubeconfig-token`, `token`, `ca.crt`,
/// `admin.crt`, `admin.key`, `etcd-endpoint`), else `KUBECONFIG` (loaded like kubectl does).
/// Rule (as in TendHTTPTests): without a reachable cluster the tests are skipped, except under
/// `CI=true`, where they run and fail saying how to provide one.
struct KubeTestCluster: Sendable {
    var directory: String?
    var configuration: ClientConfiguration

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let located: Result<KubeTestCluster, Unavailable> = locate()
    static var shouldRun: Bool {
        if case .success = located { return true }
        return isCI
    }

    static func require() throws -> KubeTestCluster { try located.get() }

    struct Unavailable: Error, CustomStringConvertible { var description: String }

    private static func locate() -> Result<KubeTestCluster, Unavailable> {
        let env = ProcessInfo.processInfo.environment
        let hint = "start one with `TEND_CLUSTER_DIR=<dir> scripts/local-cluster up` and export TEND_CLUSTER_DIR (or KUBECONFIG)"
        let cluster: KubeTestCluster
        do {
            if let dir = env["TEND_CLUSTER_DIR"], !dir.isEmpty {
                cluster = KubeTestCluster(directory: dir, configuration: try KubeConfigLoader(explicitPath: "\(dir)/kubeconfig", environment: [:]).load())
            } else if let kubeconfig = env["KUBECONFIG"], !kubeconfig.isEmpty {
                cluster = KubeTestCluster(directory: nil, configuration: try KubeConfigLoader(environment: env).load())
            } else {
                return .failure(Unavailable(description: "no cluster configured (TEND_CLUSTER_DIR/KUBECONFIG unset); \(hint)"))
            }
        } catch {
            return .failure(Unavailable(description: "cannot load the cluster's kubeconfig: \(error); \(hint)"))
        }
        guard isReachable(cluster.configuration.server) else {
            return .failure(Unavailable(description: "cluster at \(cluster.configuration.server) is not reachable; \(hint)"))
        }
        return .success(cluster)
    }

    /// A file of the cluster directory (requires `TEND_CLUSTER_DIR`).
    func file(_ name: String) throws -> String {
        guard let directory else { throw Unavailable(description: "this test needs TEND_CLUSTER_DIR (it reads \(name))") }
        return "\(directory)/\(name)"
    }

    func read(_ name: String) throws -> String {
        let path = try file(name)
        guard let data = FileManager.default.contents(atPath: path) else { throw Unavailable(description: "cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The cluster's configuration with other credentials.
    func configuration(_ credentials: ClientConfiguration.Credentials) -> ClientConfiguration {
        var c = configuration
        c.credentials = credentials
        return c
    }

    private static func isReachable(_ server: String) -> Bool {
        guard let afterScheme = server.range(of: "://")?.upperBound else { return false }
        let authority = server[afterScheme...].prefix { $0 != "/" }
        let pieces = authority.split(separator: ":")
        guard pieces.count == 2, let port = UInt16(pieces[1]) else { return false }
        let host = pieces[0] == "localhost" ? "127.0.0.1" : String(pieces[0])
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// Runs a command, returns its standard output; throws on a non-zero exit.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw KubeTestCluster.Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
}
