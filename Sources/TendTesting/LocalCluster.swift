import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import TendKube
import TendValue

/// The local control plane started by `scripts/local-cluster up`, for cluster tests.
///
/// Found through `TEND_CLUSTER_DIR` (its `kubeconfig`, `etcd-endpoint`, `pids/`), else `KUBECONFIG`.
/// Rule shared by every cluster suite: without a reachable cluster the tests are skipped, except
/// under `CI=true`, where they run and fail with ``Unavailable``'s message saying how to start one.
public struct LocalCluster: Sendable {
    /// The cluster directory, when known (needed for etcd and apiserver restarts).
    public var directory: String?
    public var configuration: ClientConfiguration

    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    public static let located: Result<LocalCluster, Unavailable> = locate()
    /// Whether cluster suites should run: a cluster was found, or under CI (where they then fail).
    public static var shouldRun: Bool {
        if case .success = located { return true }
        return isCI
    }

    public static func require() throws -> LocalCluster { try located.get() }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private static func locate() -> Result<LocalCluster, Unavailable> {
        let env = ProcessInfo.processInfo.environment
        let hint = "start one with `TEND_CLUSTER_DIR=<dir> scripts/local-cluster up` and export TEND_CLUSTER_DIR (or KUBECONFIG)"
        let cluster: LocalCluster
        do {
            if let dir = env["TEND_CLUSTER_DIR"], !dir.isEmpty {
                cluster = LocalCluster(
                    directory: dir, configuration: try KubeConfigLoader(explicitPath: "\(dir)/kubeconfig", environment: [:]).load())
            } else if let kubeconfig = env["KUBECONFIG"], !kubeconfig.isEmpty {
                cluster = LocalCluster(directory: nil, configuration: try KubeConfigLoader(environment: env).load())
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
    public func file(_ name: String) throws -> String {
        guard let directory else { throw Unavailable(description: "this test needs TEND_CLUSTER_DIR (it uses \(name))") }
        return "\(directory)/\(name)"
    }

    public func read(_ name: String) throws -> String {
        let path = try file(name)
        guard let data = FileManager.default.contents(atPath: path) else { throw Unavailable(description: "cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the API server accepts TCP connections.
    public var isReachable: Bool { Self.isReachable(configuration.server) }

    // MARK: etcd

    /// Runs `etcdctl` (API v3) against the cluster's etcd.
    @discardableResult
    public func etcdctl(_ arguments: [String]) throws -> String {
        let endpoint = try read("etcd-endpoint")
        return try runCommand("etcdctl", ["--endpoints=\(endpoint)"] + arguments, environment: ["ETCDCTL_API": "3"])
    }

    /// etcd's current revision.
    public func etcdRevision() throws -> Int64 {
        let status = try JSON.parse(try etcdctl(["endpoint", "status", "-w", "json"]))
        guard let revision = (status[0] ?? status)["Status"]?["header"]?["revision"]?.intValue else {
            throw Unavailable(description: "etcdctl endpoint status: no revision in \(status)")
        }
        return revision
    }

    /// Compacts etcd's history up to its current revision; returns that revision.
    @discardableResult
    public func compactEtcd() throws -> Int64 {
        let revision = try etcdRevision()
        try etcdctl(["compact", "\(revision)"])
        return revision
    }

    // MARK: API server restarts

    /// Stops the API server (SIGTERM, then SIGKILL after 10 s); returns its command line, for ``startAPIServer(_:)``.
    /// etcd and the controller manager keep running.
    public func stopAPIServer() throws -> [String] {
        let pidFile = try file("pids/kube-apiserver.pid")
        let pidText = try read("pids/kube-apiserver.pid")
        guard let pid = Int32(pidText) else { throw Unavailable(description: "no apiserver pid in \(pidFile)") }
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
            throw Unavailable(description: "the apiserver (pid \(pid)) is not running")
        }
        let arguments = raw.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        guard let binary = arguments.first, binary.hasSuffix("kube-apiserver"),
              let directory, arguments.contains(where: { $0.contains(directory) })
        else { throw Unavailable(description: "pid \(pid) is not this cluster's kube-apiserver") }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.alive(pid) {
            if ContinuousClock.now > deadline { kill(pid, SIGKILL) }
            usleep(50_000)
        }
        return arguments
    }

    /// Starts the API server with `commandLine` (from ``stopAPIServer()``) as `local-cluster` does
    /// (own session, log appended to `logs/kube-apiserver.log`, pid in `pids/`), and waits until it is ready.
    public func startAPIServer(_ commandLine: [String], timeout: Duration = .seconds(60)) async throws {
        let log = try file("logs/kube-apiserver.log")
        let pidFile = try file("pids/kube-apiserver.pid")
        _ = try runCommand(
            "bash", ["-c", "setsid \"$@\" </dev/null >>'\(log)' 2>&1 & echo $! >'\(pidFile)'", "start-apiserver"] + commandLine)
        let deadline = ContinuousClock.now + timeout
        try await KubeClient.withClient(configuration, options: KubeClient.Options(retryPolicy: .none)) { client in
            while true {
                if let _ = try? await client.serverVersion(),
                   (try? await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!).get("default")) != nil {
                    return
                }
                if ContinuousClock.now > deadline { throw Unavailable(description: "the restarted apiserver did not become ready") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private static func alive(_ pid: Int32) -> Bool {
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z"
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

/// Runs a command found on `PATH`, returns its standard output and error; throws on a non-zero exit.
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
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
        throw LocalCluster.Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
}
