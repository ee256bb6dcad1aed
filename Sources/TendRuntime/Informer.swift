import Logging
import TendKube
public import TendMeta
import TendValue
import Synchronization

/// A cache of one resource (in one namespace scope, with optional label and field selectors) kept
/// up to date by a reflector (list, then watch), with change handlers.
///
/// Get informers from a ``SharedInformerFactory``: it creates one per (resource, namespace,
/// label selector, field selector) and shares it between every consumer, so there is one list and
/// one watch per such combination, not one per controller.
///
/// Contract:
/// - ``store`` is read without waiting on the network; it may be stale (eventually consistent).
/// - ``hasSynced`` turns true once the first complete list is in the store; it never turns false
///   (later relists replace the contents atomically).
/// - **Handlers** are called one at a time, in order, for every change *after* it is in the store;
///   a handler added late first receives `.added` for every object already in the store (exactly
///   the state the changes it sees next apply to). Handlers run on the informer's dispatch task,
///   never on the watch: a slow handler delays other handlers, not the watch. Waiting changes are
///   coalesced by object (at most one per object, see ``CoalescedChanges``), so the queue is bounded
///   by the number of objects, not of events. A handler must still not block: enqueue keys only.
/// - Handlers are called only while the informer runs (``run()``, usually through
///   ``SharedInformerFactory/run()``).
public final class Informer: Sendable {
    public typealias Handler = @Sendable (StoreChange) -> Void

    /// The kind asked for.
    public let kind: GroupVersionKind
    /// The resource served for ``kind`` (found through discovery).
    public let resource: GroupVersionResource
    /// The namespace watched; nil for all namespaces (and for cluster-scoped resources).
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    /// The cache. Reads never wait on the network; may be stale.
    public let store: Store

    let reflector: Reflector
    let logger: Logger
    private let state = Mutex(State())

    /// Counters of the requests and changes this informer made and saw.
    public struct Statistics: Sendable, Hashable {
        /// LIST requests sent (one per page).
        public var listRequests = 0
        /// WATCH requests sent.
        public var watchRequests = 0
        /// Lists started again after the first one (after a 410 Gone).
        public var relists = 0
        /// Watch events applied to the store (bookmarks excluded).
        public var events = 0
        /// List or watch failures that were retried after a backoff.
        public var failures = 0
        /// The most recent of those failures (step and message, e.g. `list: ... forbidden`);
        /// nil once a list or watch succeeds again.
        public var lastFailure: String?
    }

    enum DispatchItem {
        case changes(CoalescedChanges)
        /// A handler added with the store as it was at that point of the change sequence.
        case register(token: Int, handler: Handler, snapshot: [CachedObject])
    }

    private struct State {
        var running = false
        var synced = false
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var handlers: [(token: Int, handler: Handler)] = []
        var liveTokens: Set<Int> = []
        var nextToken = 0
        var pending: [DispatchItem] = []
        var dispatcher: CheckedContinuation<Void, Never>?
        var statistics = Statistics()
    }

    init(
        kind: GroupVersionKind, resource: ResourceClient, labelSelector: String?, fieldSelector: String?,
        store: Store, clock: any RuntimeClock, logger: Logger, configuration: ReflectorConfiguration,
        skipsManagedFields: Bool = false
    ) {
        self.kind = kind
        self.resource = resource.resource.groupVersionResource
        self.namespace = resource.namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.store = store
        var logger = logger
        logger[metadataKey: "kind"] = "\(kind)"
        if let ns = resource.namespace { logger[metadataKey: "namespace"] = "\(ns)" }
        if let labelSelector { logger[metadataKey: "labelSelector"] = "\(labelSelector)" }
        if let fieldSelector { logger[metadataKey: "fieldSelector"] = "\(fieldSelector)" }
        self.logger = logger
        self.reflector = Reflector(
            resource: resource, labelSelector: labelSelector, fieldSelector: fieldSelector, clock: clock, logger: logger,
            configuration: configuration, skipsManagedFields: skipsManagedFields)
    }

    // MARK: Sync

    /// True once the first list is in the store.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Returns once the first list is in the store, or when the calling task is cancelled.
    public func waitForSync() async {
        let id = state.withLock { s -> Int? in
            if s.synced { return nil }
            s.nextWaiter += 1
            return s.nextWaiter
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.synced || Task.isCancelled { return true }
                    s.syncWaiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    func markSynced() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard !s.synced else { return [] }
            s.synced = true
            defer { s.syncWaiters = [:] }
            return Array(s.syncWaiters.values)
        }
        for w in waiters { w.resume() }
    }

    // MARK: Handlers

    /// Adds a handler; see the type's contract. Returns a token for ``removeHandler(_:)``.
    @discardableResult
    public func addHandler(_ handler: @escaping @Sendable (StoreChange) -> Void) -> Int {
        let (token, wake) = state.withLock { s -> (Int, CheckedContinuation<Void, Never>?) in
            s.nextToken += 1
            let token = s.nextToken
            s.liveTokens.insert(token)
            // Under the lock that also orders store writes (``record(_:)``): the snapshot is exactly the
            // state before every change queued after this item.
            s.pending.append(.register(token: token, handler: handler, snapshot: store.cachedObjects()))
            defer { s.dispatcher = nil }
            return (token, s.dispatcher)
        }
        wake?.resume()
        return token
    }

    /// Removes a handler: it is not called again once this returns (except for a call in progress).
    public func removeHandler(_ token: Int) {
        state.withLock { s in
            s.liveTokens.remove(token)
            s.handlers.removeAll { $0.token == token }
        }
    }

    /// The number of handlers added and not removed.
    public var handlerCount: Int { state.withLock { $0.liveTokens.count } }

    /// Changes written to the store and not yet handed to the handlers.
    public var pendingDispatch: Int {
        state.withLock { s in
            s.pending.reduce(0) { n, item in
                if case .changes(let c) = item { return n + c.count }
                return n
            }
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    func count(_ update: (inout Statistics) -> Void) {
        state.withLock { update(&$0.statistics) }
    }

    /// Performs a store write and queues its changes for the handlers, atomically with respect to
    /// ``addHandler(_:)``.
    func record(_ write: (Store) throws(StoreError) -> [StoreChange]) throws(StoreError) {
        let wake = try state.withLock { s throws(StoreError) -> CheckedContinuation<Void, Never>? in
            let changes = try write(store)
            guard !changes.isEmpty else { return nil }
            // Merge into the waiting changes (one per object) unless a handler registration is in
            // between: it must see the changes before it and after it in order.
            if case .changes(var waiting)? = s.pending.last {
                s.pending.removeLast()
                waiting.append(contentsOf: changes)
                s.pending.append(.changes(waiting))
            } else {
                var fresh = CoalescedChanges()
                fresh.append(contentsOf: changes)
                s.pending.append(.changes(fresh))
            }
            defer { s.dispatcher = nil }
            return s.dispatcher
        }
        wake?.resume()
    }

    // MARK: Running

    /// Lists, watches and dispatches changes until the calling task is cancelled. Returns at once
    /// when the informer is already running. Errors are logged and retried, never thrown.
    public func run() async {
        let started = state.withLock { s -> Bool in
            if s.running { return false }
            s.running = true
            return true
        }
        guard started else { return }
        logger.debug("informer starting")
        await withDiscardingTaskGroup { group in
            group.addTask { await self.dispatch() }
            group.addTask { await self.reflector.run(into: self) }
        }
        state.withLock { $0.running = false }
        logger.debug("informer stopped")
    }

    public var isRunning: Bool { state.withLock { $0.running } }

    /// Hands queued changes to the handlers until cancelled.
    private func dispatch() async {
        while let items = await nextItems() {
            for item in items {
                switch item {
                case .register(let token, let handler, let snapshot):
                    let live = state.withLock { s -> Bool in
                        guard s.liveTokens.contains(token) else { return false }
                        s.handlers.append((token, handler))
                        return true
                    }
                    if live {
                        for object in snapshot { handler(.added(object)) }
                    }
                case .changes(let changes):
                    let handlers = state.withLock { $0.handlers }
                    for change in changes.ordered {
                        for h in handlers { h.handler(change) }
                    }
                }
            }
        }
    }

    /// The queued items, waiting for some; nil once the task is cancelled.
    private func nextItems() async -> [DispatchItem]? {
        while true {
            if Task.isCancelled { return nil }
            let items = state.withLock { s -> [DispatchItem]? in
                guard !s.pending.isEmpty else { return nil }
                defer { s.pending = [] }
                return s.pending
            }
            if let items { return items }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        if !s.pending.isEmpty || Task.isCancelled { return true }
                        s.dispatcher = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            } onCancel: {
                state.withLock { s in
                    defer { s.dispatcher = nil }
                    return s.dispatcher
                }?.resume()
            }
        }
    }
}
