public import TendValue

/// The list-then-watch protocol of a reflector as a pure state machine (kube-rs `watcher.rs`,
/// client-go `reflector.go`), with no HTTP: the I/O layer feeds it ``Input``s and performs the
/// ``Action``s it returns, in order.
///
/// ```
///  empty ──start──▶ listing(continue) ──last page──▶ watching(rv) ◀──┐
///                     ▲   │ page: stage, next page        │  events, bookmarks: rv advances
///                     │   └─transient error─▶ backingOff ─┤  closed: re-watch from rv
///                     └────── 410 Gone (watch or page) ───┘  transient error: backoff, re-watch from rv
/// ```
///
/// Rules:
/// - **Paged list, staged replace.** A list is requested in pages of ``Configuration/pageSize`` (2500).
///   Each page goes straight to the store's staging area (``Action/stage(_:)``), so memory is bounded
///   by the store, not by the list; the last page commits the replace atomically and the store
///   reports the delta (deletes for vanished objects, updates for changed ones).
/// - **Resume from the last resourceVersion seen**: the list's `metadata.resourceVersion`, then each
///   event's and bookmark's. Never an item's version from the list (kubernetes-client/python#819
///   replayed a month of events that way).
/// - **A closed watch is resumed** from that version at once, without relisting.
/// - **410 Gone relists** (watch start, `ERROR` event or an expired `continue` token): the relist is a
///   consistent read (`resourceVersion` unset), never `"0"`, which the apiserver may serve from a
///   stale watch cache and so go back in time (kubernetes/kubernetes#59848).
/// - **A paged list always finishes.** A `continue` token expires when etcd compacts past the
///   list's revision (every 5 minutes by default): a list whose pages take longer than that would
///   start over forever. After ``Configuration/unpagedAfterExpiredContinues`` expired tokens in a
///   row, the list is read in one response (no `limit`), as client-go's pager does after the first;
///   one expiry is usually a compaction that happened to fall inside the list, and paging again
///   keeps memory bounded. The next complete list resets the count.
/// - **Other errors back off** (``Backoff``: 800 ms doubling to 30 s, jitter, reset after 2 min
///   without failures) and retry the same step: the same page, or the watch from the same version.
///   Connection failures and 429 never relist (that would turn an outage into a relist storm).
/// - **Persistent server errors relist.** Watch failures of kind ``WatcherError/Kind/internalError``
///   (500, or 504 such as "Too large resource version" from a lagging HA apiserver) are retried the
///   same way, but once they have kept the watch down for ``Configuration/relistAfterInternalErrors``
///   (measured from the first of them, reset by any event, bookmark or normal close), the next one
///   relists, consistently (RV unset): never back in time.
/// - **Never back in time.** resourceVersions are opaque strings; only the apiserver may compare
///   them, and the machine tracks "last seen" as client-go does. As a guard only, when
///   ``Configuration/ignoreStaleEvents`` is on and both the event's and the last seen version are
///   decimal integers (as etcd revisions are), an event whose version is not greater is dropped:
///   a watch from version R delivers only changes after R, so such an event can only be a replay.
public struct WatcherStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// Items per list page (`limit`); as ``ReflectorConfiguration/pageSize``, which sets it.
        public var pageSize = 2500
        /// How the first list reads. Relists after 410 always use ``ListSemantic/mostRecent``.
        public var initialList = ListSemantic.mostRecent
        public var backoff = Backoff.Configuration()
        /// Drop events whose numeric resourceVersion is not newer than the last seen one.
        public var ignoreStaleEvents = true
        /// How long watch failures of kind ``WatcherError/Kind/internalError`` are retried from the
        /// same version before the watcher relists.
        public var relistAfterInternalErrors: Duration = .seconds(120)
        /// Expired `continue` tokens in a row after which the list is read unpaged.
        public var unpagedAfterExpiredContinues = 2

        public init() {}
    }

    /// The `resourceVersion` semantics of a list's first page.
    public enum ListSemantic: Sendable, Hashable {
        /// `resourceVersion` unset: a consistent (quorum) read of the latest state. kube-rs default.
        case mostRecent
        /// `resourceVersion=0`: any version, possibly served stale from the apiserver's watch cache.
        /// Cheaper for the server; only for the first list.
        case any
    }

    /// One LIST request to issue.
    public struct ListRequest: Sendable, Hashable {
        /// Items per page; 0: the whole list in one response.
        public var limit: Int
        /// The `continue` token of the previous page; nil for the first page.
        public var continueToken: String?
        /// The `resourceVersion` parameter; nil means unset. Only first pages carry one.
        public var resourceVersion: String?

        public init(limit: Int, continueToken: String?, resourceVersion: String?) {
            self.limit = limit
            self.continueToken = continueToken
            self.resourceVersion = resourceVersion
        }
    }

    public enum Input: Sendable, Hashable {
        /// A list page arrived: its items, `metadata.continue` (nil or empty on the last page) and
        /// `metadata.resourceVersion`.
        case listPage(items: [Value], continueToken: String?, resourceVersion: String)
        case listFailed(WatcherError)
        case watchEvent(Event)
        /// The server ended the watch normally (timeout): resume.
        case watchClosed
        case watchFailed(WatcherError)
        /// The wait from a ``Action/wait(_:)`` has elapsed.
        case backoffElapsed
    }

    public enum Action: Sendable, Hashable {
        case startList(ListRequest)
        case startWatch(resourceVersion: String)
        /// Sleep on the injected clock, then send ``Input/backoffElapsed``.
        case wait(Duration)
        /// `Store.beginReplace()`.
        case beginReplace
        /// `Store.stage(_:)` with one page.
        case stage([Value])
        /// `Store.commitReplace()`; hand the returned delta to the informer's handlers.
        case commitReplace
        /// `Store.abortReplace()`: a relist failed for good; keep the old cache.
        case abortReplace
        /// `Store.upsert(_:)` for added/modified, `Store.delete(_:)` for deleted.
        case apply(Event)
    }

    public enum State: Sendable, Hashable {
        case empty
        case listing(continueToken: String?)
        case watching(resourceVersion: String)
        case backingOff(then: Resume)
    }

    /// The step a backoff resumes.
    public enum Resume: Sendable, Hashable {
        case list(continueToken: String?)
        case watch(resourceVersion: String)
    }

    public let configuration: Configuration
    public private(set) var state: State = .empty
    /// The last resourceVersion seen from a completed list, an event or a bookmark.
    public private(set) var resourceVersion: String?
    /// True once the first list has been committed to the store (client-go `HasSynced`).
    public private(set) var hasSynced = false
    private var backoff: Backoff
    /// The semantics of the list in progress (first page only).
    private var listSemantic: ListSemantic
    /// When the current run of watch ``WatcherError/Kind/internalError`` failures began.
    private var internalErrorsSince: RuntimeInstant?
    /// `continue` tokens that expired in a row, in the list in progress and the ones before it.
    private var expiredContinues = 0

    public init(
        _ configuration: Configuration = Configuration(),
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.configuration = configuration
        self.backoff = Backoff(configuration.backoff, random: random)
        self.listSemantic = configuration.initialList
    }

    /// Begins the first list. Only valid in ``State/empty``; returns no actions otherwise.
    public mutating func start() -> [Action] {
        guard state == .empty else { return [] }
        return relist(semantic: configuration.initialList)
    }

    /// Advances the machine. Inputs that do not fit the current state (a late page after a relist
    /// began, an event while listing) are ignored and return no actions.
    public mutating func handle(_ input: Input, now: RuntimeInstant) -> [Action] {
        switch (state, input) {
        case (.listing, .listPage(let items, let next, let rv)):
            var actions: [Action] = [.stage(items)]
            if let next, !next.isEmpty {
                state = .listing(continueToken: next)
                actions.append(.startList(request(continueToken: next)))
            } else {
                state = .watching(resourceVersion: rv)
                resourceVersion = rv
                hasSynced = true
                expiredContinues = 0
                actions += [.commitReplace, .startWatch(resourceVersion: rv)]
            }
            return actions

        case (.listing(let token), .listFailed(let error)):
            if error.kind == .expired {
                // The continue token (or the requested version) expired: start over, consistently.
                if token != nil { expiredContinues += 1 }
                return [.abortReplace] + relist(semantic: .mostRecent)
            }
            state = .backingOff(then: .list(continueToken: token))
            return [.wait(backoff.next(now: now))]

        case (.watching(let current), .watchEvent(let event)):
            let rv = event.resourceVersion
            if let rv, configuration.ignoreStaleEvents, !Self.isNewer(rv, than: current) { return [] }
            internalErrorsSince = nil
            if let rv {
                resourceVersion = rv
                state = .watching(resourceVersion: rv)
            }
            return event.kind == .bookmark ? [] : [.apply(event)]

        case (.watching(let rv), .watchClosed):
            internalErrorsSince = nil
            return [.startWatch(resourceVersion: rv)]

        case (.watching(let rv), .watchFailed(let error)):
            if error.kind == .expired { return relist(semantic: .mostRecent) }
            if error.kind == .internalError {
                let since = internalErrorsSince ?? now
                internalErrorsSince = since
                if now - since >= configuration.relistAfterInternalErrors { return relist(semantic: .mostRecent) }
            }
            state = .backingOff(then: .watch(resourceVersion: rv))
            return [.wait(backoff.next(now: now))]

        case (.backingOff(let resume), .backoffElapsed):
            switch resume {
            case .list(let token):
                state = .listing(continueToken: token)
                return [.startList(request(continueToken: token))]
            case .watch(let rv):
                state = .watching(resourceVersion: rv)
                return [.startWatch(resourceVersion: rv)]
            }

        default:
            return []
        }
    }

    /// The base delay the next failure will use, before jitter (for logs and tests).
    public var nextBackoffBase: Duration { backoff.nextBase }

    // MARK: Helpers

    private mutating func relist(semantic: ListSemantic) -> [Action] {
        listSemantic = semantic
        internalErrorsSince = nil
        state = .listing(continueToken: nil)
        return [.beginReplace, .startList(request(continueToken: nil))]
    }

    private func request(continueToken: String?) -> ListRequest {
        let rv: String? = continueToken == nil && listSemantic == .any ? "0" : nil
        let unpaged = expiredContinues >= configuration.unpagedAfterExpiredContinues
        return ListRequest(limit: unpaged ? 0 : configuration.pageSize, continueToken: continueToken, resourceVersion: rv)
    }

    /// The documented guard: true unless both versions are decimal integers and `candidate` is not greater.
    static func isNewer(_ candidate: String, than current: String) -> Bool {
        guard let c = UInt64(candidate), let l = UInt64(current) else { return true }
        return c > l
    }
}
