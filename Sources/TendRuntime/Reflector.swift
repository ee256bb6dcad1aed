import Logging
import TendKube
import TendMeta
import TendValue

/// Tuning of the reflectors an informer factory starts.
public struct ReflectorConfiguration: Sendable, Hashable {
    /// Items per list page (`limit`). 2500, not client-go's 500: lists are consistent reads (from
    /// etcd, paged), whose time goes in per-page round trips; at 100,000 ConfigMaps of 1 KiB pages of
    /// 2500 sync in 5.2–5.8 s against 9.1–10.8 s with 500, for 3 MiB more peak RSS (a page of about
    /// 3 MB of JSON in flight). See docs/performance.md, "Informer sync".
    public var pageSize = 2500
    /// Each watch asks the server to end it after a random number of seconds in this range
    /// (`timeoutSeconds`; client-go: 5–10 min), so watches are renewed regularly and not all at once.
    /// The reflector then resumes from the last resourceVersion seen, without a list.
    public var watchTimeoutSeconds: ClosedRange<Int> = 300...600
    /// Silence tolerated beyond the watch timeout before the connection is taken for dead and the
    /// watch is re-established (after a backoff).
    public var idleMargin: Duration = .seconds(30)
    /// Backoff between failed lists and watches.
    public var backoff = Backoff.Configuration()
    /// How long 500/504 watch failures are retried from the same version before a relist
    /// (``WatcherStateMachine/Configuration/relistAfterInternalErrors``).
    public var relistAfterInternalErrors: Duration = .seconds(120)
    /// How the first list reads; relists after 410 Gone are always consistent reads.
    public var initialList = WatcherStateMachine.ListSemantic.mostRecent

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.pageSize == b.pageSize && a.watchTimeoutSeconds == b.watchTimeoutSeconds && a.idleMargin == b.idleMargin
            && a.backoff == b.backoff && a.initialList == b.initialList && a.relistAfterInternalErrors == b.relistAfterInternalErrors
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pageSize)
        hasher.combine(watchTimeoutSeconds)
        hasher.combine(idleMargin)
        hasher.combine(initialList)
        hasher.combine(relistAfterInternalErrors)
    }
}

/// Drives a ``WatcherStateMachine`` with the API client: performs its list and watch requests,
/// feeds back pages, events and failures, sleeps its backoffs on the clock, and applies its store
/// actions through the informer (which queues the resulting changes for the handlers).
///
/// Errors are logged (with the kind, the step and the error) and retried; nothing is thrown.
/// Returns when the calling task is cancelled.
struct Reflector: Sendable {
    let resource: ResourceClient
    let labelSelector: String?
    let fieldSelector: String?
    let clock: any RuntimeClock
    let logger: Logger
    let configuration: ReflectorConfiguration
    /// The store's transform is the default, which drops `metadata.managedFields`: lists and watches
    /// then leave it out at parse time instead of building it for the transform to remove.
    let skipsManagedFields: Bool

    func run(into informer: Informer) async {
        var machineConfiguration = WatcherStateMachine.Configuration()
        machineConfiguration.pageSize = configuration.pageSize
        machineConfiguration.backoff = configuration.backoff
        machineConfiguration.initialList = configuration.initialList
        machineConfiguration.relistAfterInternalErrors = configuration.relistAfterInternalErrors
        var machine = WatcherStateMachine(machineConfiguration)
        var actions = machine.start()
        var lists = 0
        while !actions.isEmpty, !Task.isCancelled {
            let action = actions.removeFirst()
            var input: WatcherStateMachine.Input?
            switch action {
            case .beginReplace, .stage, .commitReplace, .abortReplace, .apply:
                apply(action, to: informer)
            case .startList(let request):
                if request.continueToken == nil {
                    lists += 1
                    if lists > 1 { informer.count { $0.relists += 1 } }
                }
                input = await list(request, informer)
            case .startWatch(let resourceVersion):
                input = await watch(from: resourceVersion, machine: &machine, informer: informer, pending: &actions)
            case .wait(let duration):
                do {
                    try await clock.sleep(for: duration)
                } catch {
                    return
                }
                input = .backoffElapsed
            }
            if Task.isCancelled { return }
            if let input {
                if case .listFailed(let e) = input { report(e, step: "list", informer, &machine) }
                if case .watchFailed(let e) = input { report(e, step: "watch", informer, &machine) }
                actions += machine.handle(input, now: clock.now)
            }
        }
    }

    private func report(_ error: WatcherError, step: String, _ informer: Informer, _ machine: inout WatcherStateMachine) {
        if error.kind == .expired {
            logger.info("resourceVersion expired (410 Gone); relisting", metadata: ["step": "\(step)", "error": "\(error.message)"])
        } else {
            informer.count {
                $0.failures += 1
                $0.lastFailure = "\(step): \(error.message)"
            }
            logger.warning("\(step) failed; retrying after a backoff", metadata: [
                "step": "\(step)", "error": "\(error.message)", "backoff": "\(machine.nextBackoffBase)",
            ])
        }
    }

    // MARK: Store actions

    private func apply(_ action: WatcherStateMachine.Action, to informer: Informer) {
        do {
            switch action {
            case .beginReplace:
                informer.store.beginReplace()
            case .stage(let items):
                try informer.store.stage(items)
            case .commitReplace:
                try informer.record { store throws(StoreError) in try store.commitReplace() }
                informer.markSynced()
            case .abortReplace:
                informer.store.abortReplace()
            case .apply(let event):
                informer.count { $0.events += 1 }
                try informer.record { store in
                    switch event.kind {
                    case .added, .modified: return store.upsert(event.object).map { [$0] } ?? []
                    case .deleted: return store.delete(event.object).map { [$0] } ?? []
                    case .bookmark: return []
                    }
                }
            default:
                break
            }
        } catch {
            logger.error("store update failed", metadata: ["step": "store", "error": "\(error)"])
        }
    }

    // MARK: I/O

    private func list(_ request: WatcherStateMachine.ListRequest, _ informer: Informer) async -> WatcherStateMachine.Input {
        informer.count { $0.listRequests += 1 }
        var options = ListOptions(
            labelSelector: labelSelector, fieldSelector: fieldSelector, limit: request.limit,
            continueToken: request.continueToken, resourceVersion: request.resourceVersion)
        options.skipsManagedFields = skipsManagedFields
        do {
            let page = try await resource.list(options)
            informer.count { $0.lastFailure = nil }
            return .listPage(items: page.items, continueToken: page.continueToken, resourceVersion: page.resourceVersion)
        } catch {
            return .listFailed(Self.classify(error))
        }
    }

    /// Runs one watch from `resourceVersion`, applying its events as they arrive; returns how it ended.
    private func watch(
        from resourceVersion: String, machine: inout WatcherStateMachine, informer: Informer,
        pending: inout [WatcherStateMachine.Action]
    ) async -> WatcherStateMachine.Input? {
        informer.count { $0.watchRequests += 1 }
        var options = WatchOptions(
            labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
            allowWatchBookmarks: true, timeoutSeconds: Int.random(in: configuration.watchTimeoutSeconds),
            idleMargin: configuration.idleMargin)
        options.skipsManagedFields = skipsManagedFields
        let stream: WatchStream
        do {
            stream = try await resource.watch(options)
        } catch {
            return .watchFailed(Self.classify(error))
        }
        let opened = clock.now
        var received = 0
        var iterator = stream.makeAsyncIterator()
        while true {
            let event: WatchEvent?
            do {
                event = try await iterator.next()
            } catch {
                return .watchFailed(Self.classify(error))
            }
            guard let event else {
                // A watch the server ends at once, again and again, must not become a busy loop.
                if received == 0, clock.now - opened < .seconds(1) {
                    return .watchFailed(.transient("the server closed the watch immediately"))
                }
                return .watchClosed
            }
            received += 1
            let kind: WatcherStateMachine.Event.Kind
            switch event.type {
            case .added: kind = .added
            case .modified: kind = .modified
            case .deleted: kind = .deleted
            case .bookmark: kind = .bookmark
            case .error:
                stream.cancel()
                let message = "watch ERROR event: \(event.status?.message ?? "no message")"
                return .watchFailed(WatcherError.isInternalError(httpStatus: event.status?.code) ? .internalError(message) : .transient(message))
            }
            for action in machine.handle(.watchEvent(WatcherStateMachine.Event(kind, event.object)), now: clock.now) {
                switch action {
                case .apply, .beginReplace, .stage, .commitReplace, .abortReplace:
                    apply(action, to: informer)
                default:
                    pending.append(action)
                }
            }
            if !pending.isEmpty {
                stream.cancel()
                return nil
            }
        }
    }

    static func classify(_ error: any Error) -> WatcherError {
        guard let error = error as? KubeError else { return .transient("\(error)") }
        if error.isExpired { return .expired(error.message) }
        if WatcherError.isInternalError(httpStatus: error.httpStatus) { return .internalError(error.description) }
        return .transient(error.description)
    }
}
