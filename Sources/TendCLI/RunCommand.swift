import ArgumentParser
import Dispatch
import Foundation
import Logging
import TendCEL
import TendEngine
import TendKube
import TendRules
import TendRuntime
import TendValue

/// `tend run`: run rules against a cluster.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run rules against a cluster.",
        discussion: """
            Refuses to start when `tend check` would fail. SIGTERM or SIGINT stops intake, lets in-flight \
            reconciles finish (up to 30 s), releases the lease and exits 0. SIGHUP, or a change to the rule \
            files' contents (checked every --reload-interval), reloads the rules: a set with errors changes \
            nothing; otherwise unchanged rules keep running, changed and new ones start, removed ones stop \
            (deleting nothing).

            --dry-run is shadow mode: everything runs as usual (informers, queues, leader election, \
            reloads, metrics, health), but every write is sent as a server-side dry run (dryRun=All), so \
            admission and validation still run and nothing is persisted: no children, deletes, patches, \
            finalizers, status or Events. Each object's planned writes are logged at info level (which \
            --dry-run turns on) when they change: "would create ConfigMap.v1 ns/x", "would update ... \
            (fields: ...)", "would delete ...", "would write status of ..."; a write the server would \
            refuse is a warning with its message. Metrics: tend_shadow_writes_total{rule,operation}, \
            tend_shadow_rejections_total{rule}. See docs/planning.md.
            """)

    @Argument(help: "Rule files or directories.")
    var rules: [String]

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customLong("kube-api-qps"), help: "Client-side limit on requests per second to the API server (kube-controller-manager's name). The default, 50 (burst 100), keeps a rule stuck in a hot loop from saturating a small API server or an older one without priority and fairness; 0 turns it off and leaves fairness to the server's priority and fairness, as controller-runtime does since v0.21.")
    var kubeAPIQPS: Double = RateLimit.default.qps

    @Option(name: .customLong("kube-api-burst"), help: "Requests allowed at once above --kube-api-qps.")
    var kubeAPIBurst: Int = RateLimit.default.burst

    @Option(help: "Which Events to record on watched objects: problems (warnings, phase transitions, deletions, releases; routine child creates and updates are only logged) or all (also a Created or Updated Event per child written, one more request each).")
    var events: String = EventPolicy.problems.rawValue

    @Option(help: "Concurrent reconciles per rule.")
    var workers: Int = 2

    @Flag(name: .customLong("leader-elect"), help: "Run only while holding a coordination.k8s.io Lease.")
    var leaderElect = false

    @Option(name: .customLong("lease-name"), help: "Name of the leader-election Lease.")
    var leaseName = "tend"

    @Option(name: .customLong("lease-namespace"), help: "Namespace of the Lease (default: the context's namespace).")
    var leaseNamespace: String?

    @Option(name: .customLong("inventory-namespace"), help: "Namespace of the inventory record, the ConfigMap tend-inventory: the kinds each rule has had children of, so children of a template later removed are still pruned (default: the Lease's namespace with --leader-elect, else the context's namespace).")
    var inventoryNamespace: String?

    @Option(help: "Split the watched objects into N shards by a stable hash of namespace/name.")
    var shards: Int = 1

    @Option(name: .customLong("shard-index"), help: "The shard this process reconciles (0..<shards).")
    var shardIndex: Int = 0

    @Flag(
        name: .customLong("dry-run"),
        help: "Shadow mode: send every write as a server-side dry run, persist nothing, log what would be written.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "More logging (-v info, -vv debug, -vvv trace).")
    var verbose: Int

    @Option(name: .customLong("log-format"), help: "Log lines as text, or as json (one object per line: ts, level, logger, msg, then metadata) for log collectors.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("health-addr"), help: "Serve /healthz, /readyz and /metrics (Prometheus) on HOST:PORT (:8081 every interface, IPv6 and IPv4; 0.0.0.0:8081 IPv4 only; [::1]:8081 IPv6 loopback).")
    var healthAddress: String?

    @Option(
        name: .customLong("resync-period"),
        help: "Reconcile every watched object again after this long (Go duration, ±10% jitter), catching drift in state Tend does not watch; 0 disables.")
    var resyncPeriod = "10h"

    @Option(
        name: .customLong("reload-interval"),
        help: "Check the rule files' contents this often (Go duration) and reload the rules when they changed; 0 disables (SIGHUP still reloads).")
    var reloadInterval = "5s"

    /// ``resyncPeriod`` or ``reloadInterval`` parsed: a Go duration (`10h`, `30m`, `1h30m`), zero or more.
    static func parseDuration(_ text: String) -> Duration? {
        guard let d = CELDuration(parsing: text), d.nanoseconds >= 0 else { return nil }
        return .nanoseconds(d.nanoseconds)
    }

    func validate() throws {
        guard Self.parseDuration(resyncPeriod) != nil else { throw ValidationError("--resync-period must be a duration such as 10h, 30m or 0") }
        guard Self.parseDuration(reloadInterval) != nil else { throw ValidationError("--reload-interval must be a duration such as 5s, 1m or 0") }
        guard EventPolicy(rawValue: events) != nil else {
            throw ValidationError("--events must be one of: \(EventPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard workers > 0 else { throw ValidationError("--workers must be at least 1") }
        guard shards >= 1, (0..<shards).contains(shardIndex) else { throw ValidationError("--shard-index must be in 0..<--shards") }
        if let healthAddress, Self.splitAddress(healthAddress) == nil {
            throw ValidationError("--health-addr must be HOST:PORT or :PORT (IPv6 in brackets: [::]:8081)")
        }
    }

    func run() async throws {
        // Shadow mode's report is its info lines.
        let logger = LogSetup.make(verbosity: dryRun ? max(verbose, 1) : verbose, format: logFormat)
        // SIGHUP is caught from the start (its default action ends the process); reloads wait for the engine.
        let (hangups, hangup) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let hangupWatcher = SignalWatcher(signals: [SIGHUP]) { hangup.yield() }
        defer { hangupWatcher.cancel() }
        let filesHash = RuleReloader.contentHash(of: rules)
        let loaded = RuleLoader().load(paths: rules)
        let color = Terminal.useColor(2)
        for d in loaded.diagnostics { Terminal.writeStderr(d.render(source: loaded.sources[d.location.file], color: color) + "\n") }
        if loaded.hasErrors {
            Terminal.writeStderr("not starting: fix the errors above (tend check shows them too)\n")
            throw ExitCode(1)
        }
        var configuration = try cluster.load()
        configuration.rateLimit = RateLimit(qps: kubeAPIQPS, burst: kubeAPIBurst)
        var options = EngineOptions()
        options.namespace = cluster.namespace
        options.inventoryNamespace = inventoryNamespace ?? (leaderElect ? leaseNamespace : nil) ?? configuration.namespace
        options.workers = workers
        options.dryRun = dryRun
        options.events = EventPolicy(rawValue: events) ?? .problems
        options.resyncPeriod = Self.parseDuration(resyncPeriod) ?? options.resyncPeriod
        if shards > 1 { options.shard = ShardFilter(shards: shards, index: shardIndex) }
        if leaderElect {
            let host = ProcessInfo.processInfo.hostName
            let identity = "\(host)_\(UUID().uuidString.prefix(8))"
            let name = shards > 1 ? "\(leaseName)-shard-\(shardIndex)" : leaseName
            options.leaderElection = .init(namespace: leaseNamespace ?? configuration.namespace, name: name, identity: identity)
        }
        // One isolated registry for everything this process records; served at /metrics.
        let metrics = MetricsRegistry()
        options.metrics = metrics.factory
        EngineMetrics.recordBuildInfo(version: TendVersion.current, factory: metrics.factory)
        var clientOptions = KubeClient.Options()
        clientOptions.logger = logger
        clientOptions.metrics = metrics.factory
        let client = KubeClient(configuration: configuration, options: clientOptions)
        let engine = Engine(rules: loaded.rules, client: client, options: options, logger: logger)
        logger.info("starting", metadata: ["rules": "\(loaded.rules.map(\.name).joined(separator: ","))", "server": "\(configuration.server)"])
        if dryRun { logger.info("shadow mode (--dry-run): writes are server-side dry runs; nothing is persisted") }
        var health: HealthServer?
        if let healthAddress, let (host, port) = Self.splitAddress(healthAddress) {
            do {
                health = try HealthServer(
                    host: host, port: port,
                    metrics: {
                        engine.updateMetrics()
                        return metrics.exposition()
                    },
                    detail: { engine.readiness.lines.map { $0 + "\n" }.joined() }
                ) { engine.isReady }
                logger.info("serving /healthz, /readyz and /metrics", metadata: ["address": "\(health?.address ?? "\(host):\(port)")"])
            } catch {
                Terminal.writeStderr("error: \(error)\n")
                throw ExitCode(1)
            }
        }
        defer { health?.stop() }
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) {
            logger.info("shutting down")
            engine.shutdown()
        }
        defer { signals.cancel() }
        let reloader = RuleReloader(
            paths: rules, interval: Self.parseDuration(reloadInterval) ?? .zero, engine: engine, logger: logger, initialHash: filesHash)
        do {
            // The reloader lives as long as the engine runs.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.run() }
                group.addTask { await reloader.run(signals: hangups) }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch is CancellationError {}
        await client.shutdown()
        if engine.lostLeadership { throw ExitCode(1) }
        logger.info("stopped")
    }
}

extension RunCommand {
    /// `HOST:PORT` or `:PORT` into its parts; an IPv6 host goes in brackets (`[::]:8081`,
    /// `[::1]:8081`) and is returned without them.
    static func splitAddress(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = s[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            return nil  // an IPv6 address without brackets: where does it end?
        }
        return (String(host), port)
    }
}

/// Connection flags shared by commands that talk to a cluster.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: [.short, .customLong("namespace")], help: "Limit everything to one namespace.")
    var namespace: String?

    func load() throws -> ClientConfiguration {
        do {
            return try KubeConfigLoader(explicitPath: kubeconfig, context: context, namespace: namespace).load()
        } catch {
            Terminal.writeStderr("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Runs a handler when one of the given signals arrives (the default action is suppressed).
///
/// Not Sendable: created and cancelled by the command's task; the handler runs on a global queue.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { for s in sources { s.cancel() } }
}

/// How `tend run` writes its log lines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogSetup {
    /// A logger writing to standard error; `verbosity` 0 warning, 1 info, 2 debug, 3 trace.
    static func make(verbosity: Int, format: LogFormat = .text) -> Logger {
        let level: Logger.Level = [.warning, .info, .debug, .trace][min(max(verbosity, 0), 3)]
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "tend")
        logger.logLevel = level
        return logger
    }
}
