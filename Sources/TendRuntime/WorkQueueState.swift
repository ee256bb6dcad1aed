/// The work queue's bookkeeping as a pure value: no locks, no clock reads, no suspension.
///
/// ``WorkQueue`` wraps it with a mutex and continuations; tests drive it directly. The contract is
/// client-go's `util/workqueue` (doc.go), with Swift names:
///
/// - **Keys, not events.** The queue holds keys; the reconciler re-reads state for a key.
/// - **Deduplicated.** A key added while it is already queued is queued once (`dirty` set).
/// - **Stingy.** A key handed out by ``next()`` is in `processing` until ``done(_:)``; it is never
///   handed out again meanwhile. A key added while it is processing is marked dirty and is queued
///   again, at the back, by ``done(_:)``.
/// - **Fair.** Ready keys are handed out first-in first-out.
/// - **Delayed adds.** ``add(_:after:now:)`` parks a key until a deadline; a key delayed twice keeps
///   the earlier deadline. Due keys join the ready queue through ``promote(now:)``, in deadline
///   order, and from then on behave as a plain ``add(_:)`` (deduplicated, stingy).
/// - **Shut down.** After ``shutDown()`` adds are ignored and ``next()`` returns nil; queued and
///   delayed keys are dropped. Keys in flight stay in `processing` until ``done(_:)``, so the
///   wrapper can drain them. (client-go keeps handing out already-queued keys after `ShutDown`;
///   Tend stops at once so no reconcile starts after shutdown began — anchor C4 #16. The keys are
///   level-triggered state and are found again by the next list.)
public struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    private var queue = FIFO<Key>()
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var delayed = DelayHeap<Key>()
    public private(set) var isShuttingDown = false

    public init() {}

    /// Ready keys (client-go `Len`): queued and not processing. Delayed keys are not counted.
    public var count: Int { queue.count }
    /// Keys handed out and not yet `done`.
    public var processingCount: Int { processing.count }
    /// Keys waiting for a deadline.
    public var delayedCount: Int { delayed.count }
    /// The earliest delay deadline, if any key is waiting.
    public var nextDeadline: RuntimeInstant? { mutating get { delayed.nextDeadline } }
    /// True once shut down and no key is in flight.
    public var isDrained: Bool { isShuttingDown && processing.isEmpty }

    public func isProcessing(_ key: Key) -> Bool { processing.contains(key) }
    public func isDirty(_ key: Key) -> Bool { dirty.contains(key) }
    public func deadline(of key: Key) -> RuntimeInstant? { delayed.deadline(of: key) }
    /// The ready keys in the order they will be handed out.
    public var readyKeys: [Key] { Array(queue.elements) }

    /// Marks `key` as needing processing.
    /// - Returns: true when the key was appended to the ready queue (a waiting worker can take it);
    ///   false when it was already queued, is processing (it will be re-queued by `done`), or the
    ///   queue is shut down.
    @discardableResult
    public mutating func add(_ key: Key) -> Bool {
        guard !isShuttingDown, dirty.insert(key).inserted else { return false }
        if processing.contains(key) { return false }
        queue.append(key)
        return true
    }

    /// What ``add(_:after:now:)`` did.
    public enum DelayedAdd: Sendable, Equatable {
        /// Ignored: shut down, or the key already waits for an earlier (or equal) deadline.
        case ignored
        /// The delay was not positive: handled as ``add(_:)``, which returned `appended`.
        case immediate(appended: Bool)
        /// Parked; `isEarliest` when its deadline is now the queue's earliest (re-arm the timer).
        case scheduled(isEarliest: Bool)
    }

    /// Adds `key` once `delay` has passed from `now`. A non-positive delay is a plain ``add(_:)``.
    public mutating func add(_ key: Key, after delay: Duration, now: RuntimeInstant) -> DelayedAdd {
        guard !isShuttingDown else { return .ignored }
        guard delay > .zero else { return .immediate(appended: add(key)) }
        let deadline = now + delay
        let previous = delayed.nextDeadline
        guard delayed.schedule(key, at: deadline) else { return .ignored }
        return .scheduled(isEarliest: previous.map { deadline < $0 } ?? true)
    }

    /// Moves every delayed key whose deadline is at or before `now` into the ready queue.
    /// - Returns: how many keys were appended to the ready queue.
    @discardableResult
    public mutating func promote(now: RuntimeInstant) -> Int {
        var appended = 0
        for key in delayed.popDue(now: now) where add(key) { appended += 1 }
        return appended
    }

    /// ``promote(now:)`` for an instrumented queue: also returns the keys that became queued (were
    /// not dirty before), in the order they were added, so the caller can count adds.
    public mutating func promoteReportingAdds(now: RuntimeInstant) -> [Key] {
        var added: [Key] = []
        for key in delayed.popDue(now: now) {
            let wasDirty = dirty.contains(key)
            add(key)
            if !wasDirty, dirty.contains(key) { added.append(key) }
        }
        return added
    }

    /// Hands out the oldest ready key and marks it processing, or nil when none is ready or the
    /// queue is shut down. The caller must call ``done(_:)`` with the key.
    public mutating func next() -> Key? {
        guard !isShuttingDown, let key = queue.popFirst() else { return nil }
        processing.insert(key)
        dirty.remove(key)
        return key
    }

    /// Ends processing of `key`.
    /// - Returns: true when the key was re-added while processing and is queued again now.
    @discardableResult
    public mutating func done(_ key: Key) -> Bool {
        processing.remove(key)
        guard !isShuttingDown, dirty.contains(key) else { return false }
        queue.append(key)
        return true
    }

    /// Stops the queue: adds are ignored from now on, queued and delayed keys are dropped, ``next()``
    /// returns nil. Keys in flight remain until ``done(_:)``.
    public mutating func shutDown() {
        isShuttingDown = true
        queue.removeAll()
        delayed.removeAll()
        dirty.removeAll()
    }
}
