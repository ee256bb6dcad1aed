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
public final class Engine: Sendable {
    public let rules: [Rule]
    public let client: KubeClient
    public let options: EngineOptions
    let logger: Logger
    let factory: SharedInformerFactory
    let controllers: [RuleController]
    private let runtimeControllers = Mutex<[Controller<ObjectKey>]>([])
    private let stopping = Mutex(false)

    public init(rules: [Rule], client: KubeClient, options: EngineOptions, logger: Logger) {
        self.rules = rules
        self.client = client
        self.options = options
        self.logger = logger
        let factory = SharedInformerFactory(client: client, logger: logger)
        let events = EventRecorder(client: client, logger: logger)
        self.factory = factory
        controllers = rules.map { RuleController(rule: $0, client: client, factory: factory, options: options, logger: logger, events: events) }
    }

    /// The number of distinct informers (one list and one watch each) the rules share so far: one
    /// per (kind, namespace scope, label selector, field selector), however many rules read it.
    public var informerCount: Int { factory.informerCount }

    /// Runs until cancelled or until ``shutdown()`` completes.
    public func run() async throws {
        enum Task { case informers, started, writers }
        try await withThrowingTaskGroup(of: Task.self) { group in
            group.addTask {
                await self.factory.run()
                return .informers
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
                    logger: logger)
                group.addTask {
                    try await elector.run {
                        self.logger.info("became leader", metadata: ["lease": "\(election.namespace)/\(election.name)", "identity": "\(election.identity)"])
                        await self.runWriters()
                        self.logger.info("stopped leading", metadata: ["lease": "\(election.namespace)/\(election.name)"])
                    }
                    return .writers
                }
            } else {
                group.addTask {
                    await self.runWriters()
                    return .writers
                }
            }
            // The engine ends when the writers end (shutdown), or when any task fails.
            while let finished = try await group.next() {
                if finished == .writers || finished == .informers { break }
            }
            group.cancelAll()
        }
    }

    /// Runs every rule's controller until shutdown or cancellation.
    private func runWriters() async {
        await withTaskGroup(of: Void.self) { group in
            for rc in controllers {
                let controller = Controller<ObjectKey>(
                    queue: rc.queue,
                    configuration: { var c = Controller<ObjectKey>.Configuration(); c.workers = options.workers; c.gracePeriod = options.gracePeriod; return c }(),
                    logger: logger
                ) { key in try await rc.reconcile(key) }
                runtimeControllers.withLock { $0.append(controller) }
                group.addTask {
                    await rc.waitUntilStarted()
                    await rc.waitForSync()
                    await controller.run()
                }
            }
        }
    }

    /// Graceful shutdown: stop taking work, let in-flight reconciles finish within the grace period.
    public func shutdown() {
        stopping.withLock { $0 = true }
        for controller in runtimeControllers.withLock({ $0 }) { controller.shutDown() }
    }
}
