import CoreMetrics
public import Logging
import Synchronization
public import TendKube
public import TendRules
import TendRuntime

/// Runs compiled rules against a cluster: one shared informer factory, one controller per rule.
///
/// Lifecycle, through the single ``run()``: informers start at once (so a standby replica keeps a
/// warm cache); controllers (the only writers) run only while this process leads, when leader
/// election is on. Cancelling the task running ``run()`` stops everything; ``shutdown()`` stops
/// intake, lets in-flight reconciles finish within the grace period, then returns (and releases the
/// lease).
///
/// Metrics go to ``EngineOptions/metrics`` (docs/metrics.md); ``updateMetrics()`` refreshes the
/// gauges that mirror caches and should run before each scrape.
public final class Engine: Sendable {
    public let rules: [Rule]
    public let client: KubeClient
    public let options: EngineOptions
    let logger: Logger
    let factory: SharedInformerFactory
    let controllers: [RuleController]
    /// Writes the rules' Events in the background (see ``EventRecorder``).
    let events: EventRecorder
    let metrics: EngineMetrics
    private let runtimeControllers = Mutex<[Controller<ObjectKey>]>([])
    private let stopping = Mutex(false)
    private let lost = Mutex(false)
    /// Whether ``run()`` ended because this process lost leadership (the caller should exit non-zero).
    public var lostLeadership: Bool { lost.withLock { $0 } }
    /// Yields once when a requested shutdown has drained the writers.
    private let stopped = AsyncStream<Void>.makeStream()

    public init(rules: [Rule], client: KubeClient, options: EngineOptions, logger: Logger) {
        self.rules = rules
        self.client = client
        self.options = options
        self.logger = logger
        let factory = SharedInformerFactory(client: client, logger: logger)
        let events = EventRecorder(client: client, logger: logger)
        self.events = events
        self.factory = factory
        controllers = rules.map { RuleController(rule: $0, client: client, factory: factory, options: options, logger: logger, events: events) }
        metrics = EngineMetrics(rules: rules, factory: options.metrics)
        metrics.rules.record(rules.count)
        if options.leaderElection == nil {
            // Without leader election this process always leads.
            Gauge(label: LeaderElector.leaderGaugeName, factory: options.metrics).record(1)
        }
    }

    /// Refreshes the gauges read from caches (`tend_watched_objects`); call before a scrape.
    public func updateMetrics() {
        for rc in controllers { metrics.watchedObjects[rc.rule.name]?.record(rc.parentCount) }
    }

    /// The number of distinct informers (one list and one watch each) the rules share so far: one
    /// per (kind, namespace scope, label selector, field selector), however many rules read it.
    public var informerCount: Int { factory.informerCount }

    /// Runs until cancelled or until ``shutdown()`` completes.
    public func run() async throws {
        enum Task { case informers, started, writers, shutdown, events }
        try await withThrowingTaskGroup(of: Task.self) { group in
            group.addTask {
                await self.factory.run()
                return .informers
            }
            group.addTask {
                await self.events.run()
                return .events
            }
            // Informers for every rule (each waits while its kind is not served).
            for controller in controllers {
                group.addTask {
                    try await controller.start()
                    return .started
                }
            }
            if let election = options.leaderElection {
                let elector = LeaderElector(
                    client: client, leaseNamespace: election.namespace, leaseName: election.name, identity: election.identity,
                    logger: logger, metrics: options.metrics)
                group.addTask {
                    try await elector.run {
                        self.logger.info("became leader", metadata: ["lease": "\(election.namespace)/\(election.name)", "identity": "\(election.identity)"])
                        await self.runWriters()
                        if self.stopping.withLock({ $0 }) {
                            self.logger.info("stopped leading", metadata: ["lease": "\(election.namespace)/\(election.name)"])
                        } else {
                            // Writers were stopped because the lease could be lost: end the process (its
                            // queues are shut down) and let the orchestrator restart it to campaign again.
                            self.logger.error("leadership lost; stopping", metadata: ["lease": "\(election.namespace)/\(election.name)"])
                            self.lost.withLock { $0 = true }
                            self.stopped.continuation.yield()
                        }
                    }
                    return .writers
                }
            } else {
                group.addTask {
                    await self.runWriters()
                    return .writers
                }
            }
            // A requested shutdown ends the engine once the writers have drained; cancelling the rest
            // releases the lease (the elector releases on cancellation) and stops the informers.
            group.addTask {
                for await _ in self.stopped.stream { break }
                return .shutdown
            }
            while let finished = try await group.next() {
                if finished == .writers || finished == .informers || finished == .shutdown { break }
            }
            group.cancelAll()
        }
    }

    /// Runs every rule's controller until shutdown or cancellation.
    private func runWriters() async {
        defer { if stopping.withLock({ $0 }) { stopped.continuation.yield() } }
        await withTaskGroup(of: Void.self) { group in
            for rc in controllers {
                let controller = Controller<ObjectKey>(
                    queue: rc.queue,
                    configuration: { var c = Controller<ObjectKey>.Configuration(); c.workers = options.workers; c.gracePeriod = options.gracePeriod; return c }(),
                    logger: logger, metrics: ControllerMetrics(dimensions: [("rule", rc.rule.name)], factory: options.metrics)
                ) { key in try await rc.reconcile(key) }
                runtimeControllers.withLock { $0.append(controller) }
                let resync = options.resyncPeriod > .zero ? PeriodicResync(period: options.resyncPeriod, clock: SystemClock()) : nil
                group.addTask {
                    await rc.waitUntilStarted()
                    await rc.waitForSync()
                    // The resync lives as long as the controller: it ends when the controller's run does.
                    await withTaskGroup(of: Void.self) { pair in
                        pair.addTask { await controller.run() }
                        if let resync { pair.addTask { await resync.run { rc.requeueAll() } } }
                        await pair.next()
                        pair.cancelAll()
                    }
                }
            }
        }
    }

    /// Whether every rule has started and every informer has listed once (for readiness probes).
    /// A standby replica (leader election) is ready too: its cache is warm.
    public var isReady: Bool {
        controllers.allSatisfy { $0.isStarted } && factory.hasSynced
    }

    /// Graceful shutdown: stop taking work, let in-flight reconciles finish within the grace period.
    public func shutdown() {
        stopping.withLock { $0 = true }
        let controllers = runtimeControllers.withLock { $0 }
        for controller in controllers { controller.shutDown() }
        // Not leading (or not started): nothing to drain.
        if controllers.isEmpty { stopped.continuation.yield() }
    }
}
