import CoreMetrics
public import Logging
import Synchronization
public import TendKube
import TendMeta
public import TendRules
public import TendRuntime

/// Runs compiled rules against a cluster: one shared informer factory, one controller per rule.
///
/// Lifecycle, through the single ``run()``: informers start at once (so a standby replica keeps a
/// warm cache); controllers (the only writers) run only while this process leads, when leader
/// election is on. Cancelling the task running ``run()`` stops everything; ``shutdown()`` stops
/// intake, lets in-flight reconciles finish within the grace period, then returns (and releases the
/// lease).
///
/// The set of rules is dynamic: ``reload(_:)`` (Engine+Reload.swift) adds, replaces and removes rules
/// while ``run()`` runs. Every rule is a ``RuleSlot`` whose tasks are children of ``run()``'s task
/// group — its set-up in the rule group, its controller in the writers group while leading — so
/// each can be stopped on its own and none outlives ``run()``.
///
/// Metrics go to ``EngineOptions/metrics`` (docs/metrics.md); ``updateMetrics()`` refreshes the
/// gauges that mirror caches and should run before each scrape.
public final class Engine: Sendable {
    public let client: KubeClient
    public let options: EngineOptions
    let logger: Logger
    let factory: SharedInformerFactory
    /// Writes the rules' Events in the background (see ``EventRecorder``).
    let events: EventRecorder
    let metrics: EngineMetrics
    /// The inventory record every rule's executor writes and every planner reads.
    let inventory: InventoryRecorder

    struct Slots {
        /// The running rules, in load order.
        var active: [RuleSlot]
        /// Feeds slots added by a reload to ``run()``'s rule group (set while it runs).
        var rules: AsyncStream<RuleSlot>.Continuation?
        /// Feeds slots added by a reload to the writers group (set while leading).
        var writers: AsyncStream<RuleSlot>.Continuation?
        /// Set by ``shutdown()``: no writer starts, no reload applies.
        var stopping = false
    }
    let slots: Mutex<Slots>
    private let lost = Mutex(false)
    /// Whether ``run()`` ended because this process lost leadership (the caller should exit non-zero).
    public var lostLeadership: Bool { lost.withLock { $0 } }
    /// Yields once when a requested shutdown has drained the writers.
    private let stopped = AsyncStream<Void>.makeStream()

    public init(rules: [Rule], client: KubeClient, options: EngineOptions, logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
        factory = SharedInformerFactory(client: client, logger: logger)
        events = EventRecorder(client: client, logger: logger, writesEvents: !options.dryRun)
        metrics = EngineMetrics(factory: options.metrics)
        inventory = InventoryRecorder(client: client, namespace: options.inventoryNamespace, logger: logger)
        slots = Mutex(Slots(active: []))
        let initial = rules.map { RuleSlot(controller: makeController($0)) }
        slots.withLock { $0.active = initial }
        metrics.rules.record(rules.count)
        if options.leaderElection == nil {
            // Without leader election this process always leads.
            Gauge(label: LeaderElector.leaderGaugeName, factory: options.metrics).record(1)
        }
    }

    func makeController(_ rule: Rule) -> RuleController {
        RuleController(rule: rule, client: client, factory: factory, options: options, logger: logger, events: events, inventory: inventory)
    }

    /// The rules running now (the last successful ``reload(_:)``'s, or the initial ones), in load order.
    public var rules: [Rule] { controllers.map(\.rule) }

    /// The controllers of the running rules.
    var controllers: [RuleController] { slots.withLock { $0.active.map(\.controller) } }

    /// Refreshes the gauges read from caches (`tend_watched_objects`); call before a scrape.
    public func updateMetrics() {
        for rc in controllers { metrics.watchedObjects(rc.rule.name).record(rc.parentCount) }
    }

    /// The number of distinct informers (one list and one watch each) the rules share so far: one
    /// per (kind, namespace scope, label selector, field selector), however many rules read it.
    public var informerCount: Int { factory.informerCount }

    /// The engine's shared informers, for a program that embeds the engine and reads what it
    /// watches (controller-runtime's `Manager.GetCache`): asking for an informer the rules already
    /// use returns that one (no second list or watch). Objects are as the cache holds them
    /// (no `managedFields`), and may trail the server (see ``Informer``).
    public var informers: SharedInformerFactory { factory }

    /// Runs until cancelled or until ``shutdown()`` completes.
    public func run() async throws {
        enum Part { case informers, rules, writers, shutdown, events }
        try await withThrowingTaskGroup(of: Part.self) { group in
            group.addTask {
                await self.factory.run()
                return .informers
            }
            group.addTask {
                await self.events.run()
                return .events
            }
            // Informers for every rule, including rules a reload adds (each waits while its kind is not served).
            group.addTask {
                try await self.runRules()
                return .rules
            }
            if let election = options.leaderElection {
                let elector = LeaderElector(
                    client: client, leaseNamespace: election.namespace, leaseName: election.name, identity: election.identity,
                    logger: logger, metrics: options.metrics)
                group.addTask {
                    try await elector.run {
                        self.logger.info("became leader", metadata: ["lease": "\(election.namespace)/\(election.name)", "identity": "\(election.identity)"])
                        await self.runWriters()
                        if self.slots.withLock({ $0.stopping }) {
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

    /// The rule group: sets up every rule's informers, the initial ones and those reloads add, until
    /// cancelled. A set-up error other than an unserved kind ends ``run()`` (as at start).
    private func runRules() async throws {
        let (stream, continuation) = AsyncStream<RuleSlot>.makeStream()
        let initial = slots.withLock { s in
            s.rules = continuation
            return s.active
        }
        defer { slots.withLock { $0.rules = nil } }
        try await withThrowingDiscardingTaskGroup { group in
            for slot in initial { group.addTask { try await self.runRule(slot) } }
            for await slot in stream { group.addTask { try await self.runRule(slot) } }
        }
    }

    /// One rule's set-up, then, once it is removed or replaced, the removal of its handlers.
    private func runRule(_ slot: RuleSlot) async throws {
        _ = try await slot.stop.race { try await slot.controller.start() }
        guard await slot.stop.wait() else { return }
        slot.controller.detach()
    }

    /// Runs every rule's controller, and those reloads add, until shutdown or cancellation.
    private func runWriters() async {
        defer { if slots.withLock({ $0.stopping }) { stopped.continuation.yield() } }
        let (stream, continuation) = AsyncStream<RuleSlot>.makeStream()
        let initial = slots.withLock { s -> [RuleSlot]? in
            if s.stopping { return nil }
            s.writers = continuation
            return s.active
        }
        guard let initial else { return }
        // The record is read before any rule plans: a kind recorded by an earlier run is searched
        // for children to prune from the first reconcile.
        await inventory.load()
        await withDiscardingTaskGroup { group in
            for slot in initial { group.addTask { await self.runWriter(slot) } }
            for await slot in stream { group.addTask { await self.runWriter(slot) } }
        }
        slots.withLock { $0.writers = nil }
    }

    /// One rule's controller and periodic resync: waits for the rule's informers (and, for a changed
    /// rule, for the previous version to drain), then reconciles until the slot's stop signal (graceful:
    /// in-flight reconciles finish) or cancellation (hard stop).
    private func runWriter(_ slot: RuleSlot) async {
        defer { slot.drained.fire() }
        let rc = slot.controller
        let ready = (try? await slot.stop.race {
            if let after = slot.after { _ = await after.wait() }
            await rc.waitUntilStarted()
            await rc.waitForSync()
        }) ?? false
        guard ready, !Task.isCancelled else { return }
        let controller = Controller<ObjectKey>(
            queue: rc.queue,
            configuration: { var c = Controller<ObjectKey>.Configuration(); c.workers = options.workers; c.gracePeriod = options.gracePeriod; return c }(),
            logger: rc.logger, metrics: ControllerMetrics(dimensions: [("rule", rc.rule.name)], factory: options.metrics)
        ) { key in try await rc.reconcile(key) }
        let resync = options.resyncPeriod > .zero ? PeriodicResync(period: options.resyncPeriod, clock: SystemClock()) : nil
        // The resync and the stop watcher live as long as the controller: they end when its run does.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await controller.run()
                return true
            }
            if let resync {
                group.addTask {
                    await resync.run { rc.requeueAll() }
                    return false
                }
            }
            group.addTask {
                if await slot.stop.wait() { controller.shutDown() }
                return false
            }
            for await controllerEnded in group where controllerEnded { group.cancelAll() }
        }
        // A rule a reload removed lets go of the objects it held with its finalizer.
        if slot.removed.withLock({ $0 }), !Task.isCancelled { await rc.retire() }
    }

    /// Whether the engine is ready (for readiness probes): every rule has started, or is waiting
    /// for its watched kind to be served (its CRD not installed yet: the other rules run, and that
    /// one starts when the kind appears), and every informer created has listed once. A standby
    /// replica (leader election) is ready too: its cache is warm.
    public var isReady: Bool { readiness.ready }

    /// Readiness and what it is made of, a line per rule and per informer not synced yet
    /// (`/readyz?verbose`).
    public var readiness: (ready: Bool, lines: [String]) {
        var ready = true
        var lines: [String] = []
        for controller in controllers {
            if controller.isStarted {
                lines.append("[+]rule \(controller.rule.name) ok")
            } else if controller.isWaitingForKind {
                lines.append("[+]rule \(controller.rule.name) waiting for \(controller.rule.watch.kind) to be served (is its CRD installed?)")
            } else {
                ready = false
                lines.append("[-]rule \(controller.rule.name) starting")
            }
        }
        for informer in factory.informers where !informer.hasSynced {
            ready = false
            lines.append("[-]informer \(informer.kind) not synced")
        }
        return (ready, lines)
    }

    /// How far one informer has listed (`tend plan`'s progress line).
    public struct ListingProgress: Sendable, Hashable {
        /// `ConfigMap.v1`.
        public var kind: String
        public var objects: Int
        public var synced: Bool

        public init(kind: String, objects: Int, synced: Bool) {
            self.kind = kind
            self.objects = objects
            self.synced = synced
        }
    }

    /// Every informer's progress, by kind and in kind order (several informers of a kind add up).
    public var listingProgress: [ListingProgress] {
        var byKind: [String: ListingProgress] = [:]
        for informer in factory.informers {
            let kind = "\(informer.kind)"
            var entry = byKind[kind] ?? ListingProgress(kind: kind, objects: 0, synced: true)
            entry.objects += informer.store.count
            entry.synced = entry.synced && informer.hasSynced
            byKind[kind] = entry
        }
        return byKind.values.sorted { $0.kind < $1.kind }
    }

    /// Graceful shutdown: stop taking work, let in-flight reconciles finish within the grace period.
    public func shutdown() {
        let (active, writers) = slots.withLock { s in
            s.stopping = true
            defer { s.writers = nil }
            return (s.active, s.writers)
        }
        for slot in active { slot.stop.fire() }
        writers?.finish()
        // Not leading (or not started): nothing to drain.
        if writers == nil { stopped.continuation.yield() }
    }
}
