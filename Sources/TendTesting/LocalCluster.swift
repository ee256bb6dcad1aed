import Foundation
#if canImport(Glibc)
import Glibc
#endif
public import TendKube
import TendMeta
import TendValue
import Synchronization

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

    // MARK: A private API server

    /// Starts a second kube-apiserver on the same etcd (a normal HA setup), with the shared one's
    /// flags except `--secure-port`, so that a test can kill and restart it without disturbing the
    /// other tests. Stop it with ``PrivateAPIServer/stop()``.
    public func startPrivateAPIServer() async throws -> PrivateAPIServer {
        let pidText = try read("pids/kube-apiserver.pid")
        guard let pid = Int32(pidText), let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
            throw Unavailable(description: "the cluster's kube-apiserver (pid \(pidText)) is not running")
        }
        var arguments = raw.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        guard let binary = arguments.first, binary.hasSuffix("kube-apiserver"),
              let i = arguments.firstIndex(of: "--secure-port"), i + 1 < arguments.count
        else { throw Unavailable(description: "pid \(pid) is not a kube-apiserver with --secure-port") }
        let port = try Self.freePort()
        arguments[i + 1] = String(port)
        var configuration = configuration
        configuration.server = "https://127.0.0.1:\(port)"
        let server = PrivateAPIServer(
            commandLine: arguments, log: try file("logs/kube-apiserver-\(port).log"), configuration: configuration)
        try await server.start()
        return server
    }

    /// A kube-apiserver process a test owns (see ``LocalCluster/startPrivateAPIServer()``).
    public final class PrivateAPIServer: Sendable {
        public let commandLine: [String]
        public let log: String
        /// Same credentials as the cluster, this server's URL.
        public let configuration: ClientConfiguration
        private let pid = Mutex<Int32?>(nil)

        init(commandLine: [String], log: String, configuration: ClientConfiguration) {
            self.commandLine = commandLine
            self.log = log
            self.configuration = configuration
        }

        /// Starts the process (own session, output appended to ``log``) and waits until it serves requests.
        ///
        /// Right after a kill, the port can still be held by the dead server's connections (orphaned
        /// sockets closing, until the clients close their ends); a server that exits because its port is
        /// in use is started again every second until ``timeout``.
        public func start(timeout: Duration = .seconds(90)) async throws {
            let deadline = ContinuousClock.now + timeout
            while true {
                let logged = (try? String(contentsOfFile: log, encoding: .utf8))?.utf8.count ?? 0
                do {
                    return try await launch(until: deadline)
                } catch is Unavailable where ContinuousClock.now < deadline && portWasInUse(since: logged) {
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }

        /// Whether what the server logged after byte `offset` of ``log`` says its port was taken.
        private func portWasInUse(since offset: Int) -> Bool {
            guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return false }
            return String(decoding: text.utf8.dropFirst(offset), as: UTF8.self).contains("address already in use")
        }

        private func launch(until deadline: ContinuousClock.Instant) async throws {
            // Only fds 0-2 reach the server: an inherited pipe (ours) would keep runCommand waiting
            // for EOF, an inherited socket would outlive the test's connection.
            let script = """
                for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done
                setsid "$@" </dev/null >>'\(log)' 2>&1 &
                echo $!
                """
            let out = try runCommand("bash", ["-c", script, "start-apiserver"] + commandLine)
            guard let started = Int32(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Unavailable(description: "could not start kube-apiserver: \(out)")
            }
            pid.withLock { $0 = started }
            var options = KubeClient.Options(retryPolicy: .none)
            options.requestTimeout = .seconds(5)
            try await KubeClient.withClient(configuration, options: options) { client in
                while true {
                    if (try? await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!).get("default")) != nil {
                        return
                    }
                    guard LocalCluster.alive(started) else { throw Unavailable(description: "kube-apiserver exited; see \(log)") }
                    if ContinuousClock.now > deadline { throw Unavailable(description: "kube-apiserver not ready in time; see \(log)") }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }

        /// Stops the process: `SIGKILL` at once when `kill` (a crash), else `SIGTERM` (SIGKILL after 10 s).
        public func stop(kill hard: Bool = false) {
            guard let p = pid.withLock({ p -> Int32? in defer { p = nil }; return p }) else { return }
            _ = Glibc.kill(p, hard ? SIGKILL : SIGTERM)
            let deadline = ContinuousClock.now + .seconds(10)
            while LocalCluster.alive(p) {
                if ContinuousClock.now > deadline { _ = Glibc.kill(p, SIGKILL) }
                usleep(20_000)
            }
        }

        deinit { stop(kill: true) }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago, below Linux's ephemeral range (32768+,
    /// as `scripts/local-cluster` picks its ports): a private API server is stopped and started again
    /// on the same port, and while it is down an outgoing connection must not take the port as its
    /// local end (then the restarted server cannot bind it and exits).
    static func freePort() throws -> Int {
        for _ in 0..<1000 {
            let port = Int.random(in: 20000..<32000)
            if canBind(port) { return port }
        }
        throw Unavailable(description: "no free port in 20000-31999")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var reuse: Int32 = 1  // as Go listeners do: a port in TIME_WAIT can be bound again
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func alive(_ pid: Int32) -> Bool {
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
