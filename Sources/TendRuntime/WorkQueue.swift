import TendKube
import Synchronization

/// A rate-limited, delaying work queue of keys for concurrent workers: ``WorkQueueState`` behind a
/// mutex, with suspended ``next()`` callers served first-come first-served.
///
/// Guarantees (client-go `util/workqueue` doc.go, see ``WorkQueueState`` for the exact rules):
/// fair (FIFO), deduplicated, stingy (a key is never handed to two workers at once; a key added
/// while in flight is processed again after ``done(_:)``), delayed and rate-limited adds, and a
/// shutdown that wakes every waiter.
///
/// Timers: due delayed keys are promoted lazily by every operation, using the injected clock, so
/// ``count`` and ``next()`` are exact without any background task. ``run()`` is only needed to wake
/// *suspended* ``next()`` callers when a deadline passes; run it for the queue's lifetime (the
/// ``Controller`` does). It returns after ``shutDown()`` or when its task is cancelled.
///
/// Every method is safe to call from any task; none blocks on I/O. The lock is held for O(log n) work.
///
/// Metrics (optional, ``WorkQueueMetrics``): depth, adds, retries, queue and work durations, recorded
/// under the lock by a tracker beside the state machine. Without metrics the queue does no extra work
/// beyond one nil check per operation.
///
/// ## Example
/// ```swift
/// let queue = WorkQueue<ObjectKey>(clock: SystemClock())
/// queue.add(key)
/// while let key = await queue.next() {
///     defer { queue.done(key) }
///     // reconcile key
/// }
/// ```
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private enum FastPath { case key(Key), stop, wait(UInt64) }

    fileprivate struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Key?, Never>
    }

    fileprivate struct Inner {
        var state = WorkQueueState<Key>()
        var limiter: any RateLimiter<Key>
        var waiters = FIFO<Waiter>()
        var nextID: UInt64 = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var timerWaiter: CheckedContinuation<Void, Never>?
        var timerSignalled = false
        /// Checked before touching `tracker`: a plain Bool costs nothing even when the generic
        /// code is not specialized, where testing the generic optional would.
        let instrumented: Bool
        var tracker: WorkQueueTracker<Key>?
    }

    /// Continuations to resume once the lock is released.
    private struct Wakeups {
        var handoffs: [(CheckedContinuation<Key?, Never>, Key?)] = []
        var others: [CheckedContinuation<Void, Never>] = []

        func resume() {
            for (c, key) in handoffs { c.resume(returning: key) }
            for c in others { c.resume() }
        }
    }

    public let clock: any RuntimeClock
    private let inner: Mutex<Inner>

    /// - Parameters:
    ///   - clock: the time source for delays and the rate limiter's own clock reads.
    ///   - rateLimiter: used by ``addRateLimited(_:)``; defaults to client-go's controller default.
    ///   - metrics: where to record the queue's metrics; nil records nothing.
    public init(clock: any RuntimeClock, rateLimiter: (any RateLimiter<Key>)? = nil, metrics: WorkQueueMetrics? = nil) {
        self.clock = clock
        self.inner = Mutex(Inner(
            limiter: rateLimiter ?? MaxOfRateLimiter<Key>.controllerDefault(clock: clock),
            instrumented: metrics != nil, tracker: metrics.map { WorkQueueTracker(metrics: $0) }))
    }

    // MARK: Adding

    /// Queues `key` unless it is already queued; a key in flight is queued again after ``done(_:)``.
    /// Ignored after shutdown.
    public func add(_ key: Key) {
        inner.withLock { s in
            if s.instrumented { Self.addTracked(&s, key, now: clock.now) } else { s.state.add(key) }
            return Self.dispatch(&s, now: clock.now)
        }.resume()
    }

    /// Queues `key` once `delay` has passed. A key already waiting keeps the earlier deadline.
    public func add(_ key: Key, after delay: Duration) {
        inner.withLock { s in Self.addLocked(&s, key, after: delay, now: clock.now) }.resume()
    }

    /// Queues `key` after the delay the rate limiter assigns to its next failure.
    public func addRateLimited(_ key: Key) {
        inner.withLock { s in
            let delay = s.limiter.when(key)
            if s.instrumented { s.tracker!.retried() }
            return Self.addLocked(&s, key, after: delay, now: clock.now)
        }.resume()
    }

    /// Clears the rate limiter's state for `key` (call on success or deletion).
    public func forget(_ key: Key) { inner.withLock { $0.limiter.forget(key) } }

    /// Failures recorded for `key` since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int { inner.withLock { $0.limiter.numRequeues(key) } }

    // MARK: Processing

    /// The next ready key, suspending until one is ready. Returns nil once the queue is shut down
    /// or when the calling task is cancelled while waiting.
    ///
    /// A non-nil key is marked processing: the caller must call ``done(_:)`` exactly once for it.
    public func next() async -> Key? {
        // Fast path without suspending: a ready key and nobody queued ahead of us.
        let fast = inner.withLock { s -> FastPath in
            if s.state.isShuttingDown || Task.isCancelled { return .stop }
            if s.waiters.isEmpty {
                if s.instrumented {
                    if let key = Self.nextTracked(&s, now: clock.now) { return .key(key) }
                } else {
                    s.state.promote(now: clock.now)
                    if let key = s.state.next() { return .key(key) }
                }
            }
            s.nextID += 1
            return .wait(s.nextID)
        }
        let id: UInt64
        switch fast {
        case .key(let key): return key
        case .stop: return nil
        case .wait(let waiterID): id = waiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Key?, Never>) in
                inner.withLock { s in
                    // Checked under the lock: `onCancel` runs after the flag is set and takes the
                    // lock, so either we see the flag here or it finds the registered waiter.
                    if Task.isCancelled || s.state.isShuttingDown {
                        var w = Wakeups()
                        w.handoffs.append((c, nil))
                        return w
                    }
                    s.waiters.append(Waiter(id: id, continuation: c))
                    return Self.dispatch(&s, now: clock.now)
                }.resume()
            }
        } onCancel: {
            let c = inner.withLock { s -> CheckedContinuation<Key?, Never>? in
                s.removeWaiter(id)?.continuation
            }
            c?.resume(returning: nil)
        }
    }

    /// Ends processing of `key`. If it was added meanwhile, it is queued again at the back.
    public func done(_ key: Key) {
        inner.withLock { s in
            s.state.done(key)
            if s.instrumented { Self.finishedTracked(&s, key, now: clock.now) }
            var w = Self.dispatch(&s, now: clock.now)
            if s.state.isDrained {
                w.others += s.drainWaiters
                s.drainWaiters.removeAll()
            }
            return w
        }.resume()
    }

    // MARK: Shutdown

    /// Stops the queue at once: adds are ignored, queued and delayed keys are dropped, every
    /// suspended ``next()`` returns nil, ``run()`` returns. Keys in flight may still call ``done(_:)``.
    public func shutDown() {
        inner.withLock { s in
            s.state.shutDown()
            if s.instrumented { s.tracker!.shutDown() }
            var w = Wakeups()
            while let waiter = s.waiters.popFirst() { w.handoffs.append((waiter.continuation, nil)) }
            if let t = s.timerWaiter {
                w.others.append(t)
                s.timerWaiter = nil
            }
            s.timerSignalled = true
            if s.state.isDrained {
                w.others += s.drainWaiters
                s.drainWaiters.removeAll()
            }
            return w
        }.resume()
    }

    /// ``shutDown()``, then suspends until every key in flight is ``done(_:)``.
    public func shutDownWithDrain() async {
        shutDown()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let drained = inner.withLock { s in
                if s.state.isDrained { return true }
                s.drainWaiters.append(c)
                return false
            }
            if drained { c.resume() }
        }
    }

    // MARK: Observing

    /// Ready keys (client-go `Len`), after promoting due delayed keys (and handing them to
    /// suspended workers, which then no longer count as ready).
    public var count: Int {
        let (w, n) = inner.withLock { s in (Self.dispatch(&s, now: clock.now), s.state.count) }
        w.resume()
        return n
    }

    /// Keys waiting for a delay deadline (not yet due at ``RuntimeClock/now``).
    public var delayedCount: Int {
        let (w, n) = inner.withLock { s in (Self.dispatch(&s, now: clock.now), s.state.delayedCount) }
        w.resume()
        return n
    }

    /// Keys handed out and not yet done.
    public var processingCount: Int { inner.withLock { $0.state.processingCount } }

    public var isShuttingDown: Bool { inner.withLock { $0.state.isShuttingDown } }

    // MARK: Timer

    /// Wakes suspended ``next()`` callers when delayed keys fall due. Returns after ``shutDown()``
    /// or when the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let (wakeups, deadline, stop) = inner.withLock { s in
                s.timerSignalled = false
                let w = Self.dispatch(&s, now: clock.now)
                return (w, s.state.nextDeadline, s.state.isShuttingDown)
            }
            wakeups.resume()
            if stop { return }
            await waitForTimer(until: deadline)
        }
    }

    /// Returns when `deadline` passes, when an earlier deadline is scheduled or on shutdown
    /// (``signalTimer``), or on cancellation.
    private func waitForTimer(until deadline: RuntimeInstant?) async {
        await withTaskGroup(of: Void.self) { group in
            if let deadline {
                group.addTask { [clock] in try? await clock.sleep(until: deadline) }
            }
            group.addTask { await self.waitForTimerSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForTimerSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let fire = inner.withLock { s in
                    if s.timerSignalled || Task.isCancelled { return true }
                    s.timerWaiter = c
                    return false
                }
                if fire { c.resume() }
            }
        } onCancel: {
            inner.withLock { s in
                defer { s.timerWaiter = nil }
                return s.timerWaiter
            }?.resume()
        }
    }

    // MARK: Locked helpers

    // The instrumented variants live out of line, so that the uninstrumented hot path is the
    // plain state-machine call behind one Bool test (the queue is used through unspecialized
    // generics from other modules, where every extra inlined path costs).

    /// A plain add, counted when the key becomes queued.
    @inline(never)
    private static func addTracked(_ s: inout Inner, _ key: Key, now: RuntimeInstant) {
        let wasDirty = s.state.isDirty(key)
        s.state.add(key)
        if !wasDirty, s.state.isDirty(key) { s.tracker!.added(key, now: now) }
    }

    /// Moves due delayed keys to the ready queue, counting them as adds.
    @inline(never)
    private static func promoteTracked(_ s: inout Inner, now: RuntimeInstant) {
        for key in s.state.promoteReportingAdds(now: now) { s.tracker!.added(key, now: now) }
    }

    /// ``WorkQueueState/next()`` after promoting, recording the hand-out.
    @inline(never)
    private static func nextTracked(_ s: inout Inner, now: RuntimeInstant) -> Key? {
        promoteTracked(&s, now: now)
        guard let key = s.state.next() else { return nil }
        s.tracker!.handedOut(key, now: now)
        s.tracker!.depth(s.state.count)
        return key
    }

    @inline(never)
    private static func handedOutTracked(_ s: inout Inner, _ key: Key, now: RuntimeInstant) {
        s.tracker!.handedOut(key, now: now)
    }

    @inline(never)
    private static func finishedTracked(_ s: inout Inner, _ key: Key, now: RuntimeInstant) {
        s.tracker!.finished(key, now: now)
    }

    @inline(never)
    private static func depthTracked(_ s: inout Inner) {
        s.tracker!.depth(s.state.count)
    }

    private static func addLocked(_ s: inout Inner, _ key: Key, after delay: Duration, now: RuntimeInstant) -> Wakeups {
        let wasDirty = !s.instrumented || s.state.isDirty(key)
        switch s.state.add(key, after: delay, now: now) {
        case .ignored:
            return Wakeups()
        case .immediate:
            if !wasDirty, s.state.isDirty(key) { s.tracker!.added(key, now: now) }
            return dispatch(&s, now: now)
        case .scheduled(let isEarliest):
            var w = Wakeups()
            if isEarliest {
                s.timerSignalled = true
                if let t = s.timerWaiter {
                    w.others.append(t)
                    s.timerWaiter = nil
                }
            }
            return w
        }
    }

    /// Promotes due keys and hands ready keys to waiters in arrival order.
    private static func dispatch(_ s: inout Inner, now: RuntimeInstant) -> Wakeups {
        var w = Wakeups()
        guard s.instrumented else {
            s.state.promote(now: now)
            guard !s.waiters.isEmpty else { return w }
            while !s.waiters.isEmpty, let key = s.state.next() {
                let waiter = s.waiters.popFirst()!
                w.handoffs.append((waiter.continuation, key))
            }
            return w
        }
        promoteTracked(&s, now: now)
        while !s.waiters.isEmpty, let key = s.state.next() {
            let waiter = s.waiters.popFirst()!
            w.handoffs.append((waiter.continuation, key))
            handedOutTracked(&s, key, now: now)
        }
        depthTracked(&s)
        return w
    }
}

extension WorkQueue.Inner {
    fileprivate mutating func removeWaiter(_ id: UInt64) -> WorkQueue.Waiter? {
        guard waiters.elements.contains(where: { $0.id == id }) else { return nil }
        var kept = FIFO<WorkQueue.Waiter>()
        var removed: WorkQueue.Waiter?
        while let w = waiters.popFirst() {
            if w.id == id { removed = w } else { kept.append(w) }
        }
        waiters = kept
        return removed
    }
}
