import Foundation
import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendRuntime
import TendValue

/// Runs one rule: informers for its watched kind, children, lookups and namespaces (shared with
/// other rules through the factory), a work queue of watched-object keys, and the reconcile.
///
/// Queue keys, not events: every informer event only enqueues the key of the watched object it
/// concerns (a child by its `tend.dev/owner-uid` label, a lookup by namespace), and the reconcile
/// re-reads everything from the cache, so it is level-based and idempotent.
final class RuleController: Sendable {
    let rule: Rule
    let client: KubeClient
    let factory: SharedInformerFactory
    let options: EngineOptions
    let logger: Logger
    let executor: PlanExecutor
    let events: EventRecorder
    let queue: WorkQueue<ObjectKey>
    /// Fights with other writers over children's fields (``ContestTracker``).
    let contests: ContestGuard
    /// Set in shadow mode (``EngineOptions/dryRun``): what was logged per object, and the shadow metrics.
    let shadow: ShadowGuard?

    struct State {
        var parent: Informer?
        var namespaces: Informer?
        var stores: [GroupVersionKind: [Store]] = [:]
        var namespaced: [GroupVersionKind: Bool] = [:]
        var uidToKey: [String: ObjectKey] = [:]
        /// Objects that left the parent cache or were found through an orphaned child (see ``Departures``).
        var departures = Departures()
        /// Applies the cache has not shown yet (see ``WriteExpectations``).
        var expectations = WriteExpectations()
        /// Objects last seen suspended (`tend.dev/reconcile: suspended`), so the `Suspended` Event
        /// is recorded once per suspension, not at every reconcile (see ``noteSuspension(_:parent:)``).
        var suspended: Set<ObjectKey> = []
        /// The hash of the watched object's fields (``ReconcilePlan/parentFields``) this rule last
        /// applied, by object, to tell drift from its own changes (``holdingContestedFields``).
        var appliedFields: [ObjectKey: String] = [:]
        /// Whether ``start()`` is waiting for the watched kind to be served (its CRD is not installed).
        var waitingForKind = false
        /// Informers started for kinds only an inventory names, until they have listed (``holdKinds(_:)``).
        var inventoryInformers: [GroupVersionKind: Informer] = [:]
        /// Kinds of an inventory the server does not serve (``holdKinds(_:)``).
        var unserved: Set<GroupVersionKind> = []
        /// The handlers ``setUp()`` added to shared informers, for ``detach()``.
        var handlers: [(Informer, Int)] = []
    }
    let state = Mutex(State())

    /// The label selector of the shared child informers: every object any rule manages.
    static let managedSelector = Rule.ruleLabel

    init(rule: Rule, client: KubeClient, factory: SharedInformerFactory, options: EngineOptions, logger: Logger, events: EventRecorder, inventory: InventoryRecorder) {
        self.rule = rule
        self.client = client
        self.factory = factory
        self.options = options
        var logger = logger
        logger[metadataKey: "rule"] = "\(rule.name)"
        self.logger = logger
        var executor = PlanExecutor(client: client, logger: logger, metrics: ChildWriteMetrics(rule: rule.name, factory: options.metrics))
        executor.dryRun = options.dryRun
        executor.inventory = inventory
        self.executor = executor
        shadow = options.dryRun ? ShadowGuard(rule: rule.name, metrics: options.metrics) : nil
        self.events = events
        contests = ContestGuard(rule: rule.name, metrics: options.metrics)
        queue = WorkQueue(
            clock: SystemClock(), rateLimiter: MaxOfRateLimiter<ObjectKey>.controllerDefault(clock: SystemClock()),
            metrics: WorkQueueMetrics(dimensions: [("rule", rule.name)], factory: options.metrics))
    }

    /// Creates the informers and handlers. Waits (retrying) while the watched kind is not served,
    /// so a rule whose CRD is installed later starts when it appears.
    func start() async throws {
        var announced = false
        while true {
            do {
                try await setUp()
                state.withLock { $0.waitingForKind = false }
                if announced { logger.info("watched kind is now served; rule started", metadata: ["kind": "\(rule.watch.kind)"]) }
                return
            } catch let error as KubeError where error.code == .unknownResource {
                state.withLock { $0.waitingForKind = true }
                if !announced {
                    logger.warning("waiting for the watched kind to be served (is its CRD installed?)", metadata: ["kind": "\(rule.watch.kind)"])
                    announced = true
                }
                try await Task.sleep(for: options.kindRetryInterval)
            }
        }
    }

    /// Informers only, for planning: fails at once when the watched kind is not served.
    func setUpForPlanning() async throws { try await setUp() }

    /// Keys of every cached watched object.
    func parentKeys() -> [ObjectKey] { state.withLock { $0.parent }?.store.keys() ?? [] }

    /// How many watched objects are cached.
    var parentCount: Int { state.withLock { $0.parent }?.store.count ?? 0 }

    private func setUp() async throws {
        let scope = options.namespace
        let parent = try await factory.informer(for: rule.watch.kind, namespace: scope, labelSelector: rule.watch.labelSelector, fieldSelector: rule.watch.fieldSelector)
        var stores: [GroupVersionKind: [Store]] = [rule.watch.kind: [parent.store]]
        var namespaced: [GroupVersionKind: Bool] = [:]
        let mapping = try await client.discovery.mapping()
        func record(_ kind: GroupVersionKind) {
            if let r = mapping.resource(for: kind) { namespaced[kind] = r.namespaced }
        }
        record(rule.watch.kind)
        var childInformers: [Informer] = []
        for kind in Set(rule.allChildren.compactMap(\.kind)) {
            do {
                let informer = try await factory.informer(for: kind, namespace: scope, labelSelector: Self.managedSelector)
                stores[kind, default: []].append(informer.store)
                childInformers.append(informer)
                record(kind)
            } catch {
                logger.warning("child kind is not served; its children will fail until it is", metadata: ["kind": "\(kind)", "error": "\(error)"])
            }
        }
        var lookupInformers: [(Informer, Bool)] = []
        let clusterScopedParent = namespaced[rule.watch.kind] == false
        for lookup in rule.lookups {
            let informer = try await factory.informer(for: lookup.kind, namespace: scope, labelSelector: lookup.selector)
            stores[lookup.kind, default: []].append(informer.store)
            // A lookup that names its namespace may be read by parents of any namespace, and
            // cluster-scoped parents have no namespace of their own: a change concerns every parent.
            lookupInformers.append((informer, lookup.namespace != nil || clusterScopedParent))
            record(lookup.kind)
        }
        var namespacesInformer: Informer?
        if case .selector = rule.watch.namespaces {
            namespacesInformer = try await factory.informer(for: GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        }
        state.withLock {
            $0.parent = parent
            $0.stores = stores
            $0.namespaced = namespaced
            $0.namespaces = namespacesInformer
        }
        var handlers: [(Informer, Int)] = []
        handlers.append((parent, parent.addHandler { [weak self] change in self?.parentChanged(change) }))
        for informer in childInformers {
            handlers.append((informer, informer.addHandler { [weak self] change in self?.childChanged(change) }))
        }
        for (informer, allParents) in lookupInformers {
            handlers.append((informer, informer.addHandler { [weak self] change in self?.lookupChanged(change, allParents: allParents) }))
        }
        if let namespacesInformer {
            handlers.append((namespacesInformer, namespacesInformer.addHandler { [weak self] change in self?.namespaceChanged(change) }))
        }
        state.withLock { $0.handlers = handlers }
    }

    /// For a rule a reload removed or replaced: removes its handlers from the shared informers (no
    /// event enqueues its keys any more) and shuts its queue down. Its caches stay readable, so
    /// reconciles still in flight finish normally. Call after ``start()`` has returned or was cancelled.
    func detach() {
        let handlers = state.withLock { s in
            defer { s.handlers = [] }
            return s.handlers
        }
        for (informer, token) in handlers { informer.removeHandler(token) }
        queue.shutDown()
    }

    var isStarted: Bool { state.withLock { $0.parent != nil } }

    /// Whether the rule waits for its watched kind to be served (``start()``).
    var isWaitingForKind: Bool { state.withLock { $0.waitingForKind } }

    /// Waits until ``start()`` has set up the informers (polling; it may wait for a CRD).
    func waitUntilStarted() async {
        while state.withLock({ $0.parent == nil }) {
            if Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until every informer of the rule has listed once.
    func waitForSync() async {
        let (parent, stores) = state.withLock { ($0.parent, $0.namespaces) }
        await parent?.waitForSync()
        await stores?.waitForSync()
        for informer in factory.informers { await informer.waitForSync() }
    }

    // MARK: Event handlers (must not block: they only enqueue keys)

    private func parentChanged(_ change: StoreChange) {
        let metadata = change.metadata
        let key = change.key
        state.withLock { $0.expectations.observed(ObjectReference(kind: rule.watch.kind, key: key), version: metadata["resourceVersion"]?.stringValue) }
        if let uid = metadata["uid"]?.stringValue {
            state.withLock {
                if case .deleted = change {
                    $0.uidToKey[uid] = nil
                    $0.appliedFields[key] = nil
                    shadow?.report.withLock { $0.forget(ObjectReference(kind: rule.watch.kind, key: key)) }
                    $0.suspended.remove(key)
                    // Deleted, or only no longer sent (a server-side selector stopped matching): the
                    // reconcile this enqueues finds out, and releases the object in the latter case.
                    $0.departures.record(key, uid: uid, hasFinalizer: rule.hasFinalizer(metadata: metadata))
                } else {
                    $0.uidToKey[uid] = key
                }
            }
        }
        if case .updated(let old, let new) = change, !Self.worthReconciling(old: old.value, new: new.value, inventory: rule.inventoryAnnotation) { return }
        enqueue(key)
    }

    /// Whether an update of a watched object can change what the rule plans for it. Everything the
    /// rule's expressions may read counts, Tend's own writes included: a status write (a phase
    /// transition, a status field) or a patched field re-triggers the reconcile, as another writer's
    /// change would, so children reading `self.status` follow and chains of phases advance. Only the
    /// resourceVersion, `managedFields` and the rule's former inventory annotation (read only for its
    /// kinds, which go to the inventory record; its removal by the rule's own write changes no plan)
    /// are ignored. A reconcile that
    /// finds nothing to change writes nothing, so this cannot loop.
    static func worthReconciling(old: Value, new: Value, inventory: String) -> Bool {
        var a = old, b = new
        for path in [
            FieldPath([.key("metadata"), .key("annotations"), .key(inventory)]),
            FieldPath([.key("metadata"), .key("resourceVersion")]),
            FieldPath([.key("metadata"), .key("managedFields")]),
        ] {
            a.remove(path)
            b.remove(path)
        }
        // Without that annotation, an annotations map may be left empty on one side only.
        let annotations = FieldPath([.key("metadata"), .key("annotations")])
        if a[path: annotations] == .emptyObject { a.remove(annotations) }
        if b[path: annotations] == .emptyObject { b.remove(annotations) }
        return a != b
    }

    func childChanged(_ change: StoreChange) {
        let labels = change.metadata["labels"]
        guard labels?[Rule.ruleLabel]?.stringValue == rule.name, let uid = labels?[Rule.ownerUIDLabel]?.stringValue else { return }
        let object = change.object
        if let kind = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "") {
            state.withLock { $0.expectations.observed(ObjectReference(kind: kind, key: change.key)) }
        }
        let deleted = if case .deleted = change { true } else { false }
        let key = state.withLock { s -> ObjectKey? in
            if let key = s.uidToKey[uid] ?? s.departures.key(forUID: uid) { return key }
            // An owner the cache does not hold (it left the rule's scope, maybe while Tend was down):
            // found through the child's ownerReference, or its `tend.dev/owner` annotation when it is
            // in another scope than its owner's, it gets a release check. A deleted child needs nothing.
            guard !deleted, let key = Self.ownerKey(of: object, uid: uid, watched: rule.watch.kind, namespaced: s.namespaced[rule.watch.kind]) else { return nil }
            s.departures.record(key, uid: uid, hasFinalizer: false)
            return key
        }
        if let key { enqueue(key) }
    }

    /// A looked-up object changed: reconcile the parents of its namespace (every parent when the
    /// object is cluster-scoped, or when `allParents`).
    private func lookupChanged(_ change: StoreChange, allParents: Bool) {
        let namespace = change.metadata["namespace"]?.stringValue ?? ""
        guard let parent = state.withLock({ $0.parent }) else { return }
        let parents = namespace.isEmpty || allParents ? parent.store.keys() : parent.store.keys(namespace: namespace)
        for key in parents { enqueue(key) }
    }

    private func namespaceChanged(_ change: StoreChange) {
        guard let name = change.metadata["name"]?.stringValue, let parent = state.withLock({ $0.parent }) else { return }
        for key in parent.store.keys(namespace: name) { enqueue(key) }
    }

    /// The periodic resync (``EngineOptions/resyncPeriod``): every cached watched object's key goes
    /// through the work queue again, as an informer event would put it there.
    func requeueAll() {
        let keys = parentKeys()
        logger.debug("periodic resync", metadata: ["objects": "\(keys.count)"])
        for key in keys { enqueue(key) }
    }

    func enqueue(_ key: ObjectKey) {
        if let shard = options.shard, !shard.owns(key) { return }
        queue.add(key)
    }

    // MARK: Reconcile

    /// The world as the cache has it now.
    func world() -> CacheWorld {
        let recorded = executor.inventory?.kinds(ofRule: rule.name) ?? []
        return state.withLock { CacheWorld(stores: $0.stores, namespaced: $0.namespaced, unserved: $0.unserved, recorded: [rule.name: recorded]) }
    }

    func namespaceLabels(_ namespace: String) -> Value? {
        state.withLock { $0.namespaces }?.store.cached(ObjectKey(name: namespace))?.metadata["labels"]
    }

    /// The watched object at `key`, if it exists and the rule's filters select it.
    func parent(_ key: ObjectKey) -> Value? {
        guard let object = state.withLock({ $0.parent })?.store.get(key) else { return nil }
        return rule.watch.matches(object, namespaceLabels: namespaceLabels(key.namespace), checkServerSelectors: false) ? object : nil
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let parent = parent(key) else { return try await releaseIfOutOfScope(key) }
        state.withLock { $0.departures.remove(key) }
        var plan = Planner(rule: rule).plan(parent: parent, world: world(), now: Date())
        if !plan.uncachedKinds.isEmpty, await holdKinds(plan.uncachedKinds) {
            plan = Planner(rule: rule).plan(parent: parent, world: world(), now: Date())
        }
        if shadow == nil {
            // Shadow mode writes nothing: no expectation waits for the cache, no contest is tracked.
            let expectations = state.withLock { $0.expectations }
            plan = await holdingContested(plan.skippingPending(expectations, parent: parent), parent: parent)
        }
        var logger = self.logger
        logger[metadataKey: "object"] = "\(plan.parent)"
        noteSuspension(key, parent: parent, suspended: plan.suspended, logger: logger)
        if plan.suspended { return .done }
        let outcome = await executor.execute(plan, rule: rule)
        if let shadow {
            var status: Result<Bool, KubeError>?
            if let desired = plan.status(reporting: outcome.failures, parent: parent, now: Date()), !outcome.failures.isEmpty || plan.statusChanged {
                status = await executor.writeStatus(desired, plan: plan, rule: rule)
            }
            return finishShadow(shadow, plan: plan, parent: parent, outcome: outcome, status: status, logger: logger)
        }
        rememberWrites(plan, outcome: outcome, parent: parent)
        let failures = outcome.failures
        var statusWrite: Result<Bool, KubeError> = .success(false)
        if let status = plan.status(reporting: failures, parent: parent, now: Date()) {
            if !failures.isEmpty || plan.statusChanged {
                let steps = await executor.writeStatusSteps(status, plan: plan, rule: rule)
                if case .success(let versions?) = steps {
                    state.withLock { $0.expectations.statusWritten(to: plan.parent, cached: parent, steps: versions.dropLast()) }
                }
                statusWrite = steps.map { $0 != nil }
            }
        }
        recordEvents(parent: parent, plan: plan, outcome: outcome)
        if case .failure(let error) = statusWrite {
            logger.warning("status write failed", metadata: ["error": "\(error)"])
            throw error
        }
        let problems = plan.problems.filter { $0.reason != "Waiting" } + failures
        if !problems.isEmpty {
            logger.warning("reconcile failed", metadata: ["problems": "\(problems.map(\.description).joined(separator: "; "))"])
            throw ReconcileFailure(object: plan.parent, problems: problems)
        }
        logger.debug("reconciled", metadata: ["writes": "\(outcome.writes)"])
        if parent.isBeingDeleted && !plan.removeFinalizer && plan.needsFinalizer {
            // Tend's finalizer waits for children being deleted; see ``cleanupRecheck``.
            return .requeue(after: Self.cleanupRecheck)
        }
        if let due = plan.requeueAfter {
            // A `for:` transition is pending: nothing else may happen before it is due.
            return .requeue(after: due + .milliseconds(50))
        }
        return .done
    }

    /// Records a Normal `Suspended` Event the first time this process sees the object suspended
    /// (again after it was resumed), and logs a resume; repeated reconciles of a suspended object
    /// only log at debug level, so a suspension costs no write per reconcile.
    private func noteSuspension(_ key: ObjectKey, parent: Value, suspended: Bool, logger: Logger) {
        let changed = state.withLock { suspended ? $0.suspended.insert(key).inserted : $0.suspended.remove(key) != nil }
        switch (suspended, changed) {
        case (true, true):
            logger.info("reconciliation suspended", metadata: ["annotation": "\(Planner.reconcileAnnotation)"])
            events.record(parent, type: .normal, reason: "Suspended", message: "reconciliation by rule \(rule.name) suspended by the annotation \(Planner.reconcileAnnotation): \(Planner.suspendedValue)")
        case (true, false):
            logger.debug("suspended; left alone")
        case (false, true):
            logger.info("reconciliation resumed")
        case (false, false):
            break
        }
    }

    /// Remembers the applies this reconcile made, until the cache shows them (``WriteExpectations``).
    private func rememberWrites(_ plan: ReconcilePlan, outcome: PlanExecutor.Outcome, parent: Value) {
        let written = Set(outcome.created + outcome.applied)
        state.withLock { s in
            for child in plan.children where written.contains(child.reference) {
                s.expectations.applied(child.desired, to: child.reference, cached: child.live)
            }
            if let patch = plan.parentPatch, outcome.parentPatched {
                s.expectations.applied(patch, to: plan.parent, cached: parent)
                s.appliedFields[plan.parent.key] = plan.parentFields.map(ObjectMatch.hash)
            }
        }
    }

    /// Records the Events of one reconcile as ``EngineOptions/events`` says: routine creates and
    /// updates of children only with ``EventPolicy/all`` (the executor logs each of them anyway);
    /// deletions, phase transitions, problems and failures always.
    func recordEvents(parent: Value, plan: ReconcilePlan, outcome: PlanExecutor.Outcome) {
        if options.events.recordsRoutineWrites {
            for ref in outcome.created { events.record(parent, type: .normal, reason: "Created", message: "created \(ref)") }
            for ref in outcome.applied { events.record(parent, type: .normal, reason: "Updated", message: "updated \(ref)") }
        }
        for ref in outcome.deleted { events.record(parent, type: .normal, reason: "Deleted", message: "deleted \(ref)") }
        if let change = plan.phaseChange, change.from != nil {
            events.record(parent, type: .normal, reason: "PhaseChanged", message: change.description)
        }
        for p in plan.problems where p.reason != "Waiting" {
            events.record(parent, type: .warning, reason: p.reason, message: p.message)
        }
        for f in outcome.failures { events.record(parent, type: .warning, reason: f.reason, message: f.message) }
    }
}

/// A reconcile that must be retried with backoff; the problems are on the object's Ready condition.
struct ReconcileFailure: Error, CustomStringConvertible {
    var object: ObjectReference
    var problems: [ReconcilePlan.Problem]
    var description: String { "\(object): " + problems.map(\.description).joined(separator: "; ") }
}
