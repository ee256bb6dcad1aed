public import Logging
import Synchronization

/// Runs a reconcile function over the keys of a ``WorkQueue`` with a fixed number of workers.
///
/// Contract:
/// - **One reconcile per key at a time.** Workers take keys from the queue, which never hands a key
///   to two workers; a key re-added while it is reconciled runs again afterwards.
/// - **Outcomes** (controller-runtime `reconcileHandler`): ``ReconcileResult/done`` forgets the
///   key's failures; ``ReconcileResult/requeue(after:)`` forgets and re-adds after the delay; a thrown
///   error re-adds through the rate limiter (5 ms doubling to 1000 s per key, 10/s overall); a
///   ``TerminalError`` is logged, forgotten and not retried. Deleted objects reconcile to `.done`,
///   which clears their per-key state, so the failure map does not grow.
/// - **Structured.** Nothing starts in `init`; ``run()`` runs the workers and the queue's timer in a
///   task group and returns when they have all stopped. Call it once.
/// - **Graceful shutdown.** ``shutDown()`` stops intake at once (no reconcile starts after it) and
///   lets in-flight reconciles finish; those still running after
///   ``Configuration/gracePeriod`` are cancelled. Cancelling the task running ``run()`` is a hard
///   stop: in-flight reconciles see cancellation immediately.
/// - Reconcile functions must be idempotent: delivery is at-least-once and level-triggered.
/// - **Metrics** (optional, ``ControllerMetrics``): every finished reconcile is counted by result and
///   timed with the queue's clock; the queue records its own (``WorkQueueMetrics``).
public final class Controller<Key: Hashable & Sendable>: Sendable {
    public typealias Reconcile = @Sendable (Key) async throws -> ReconcileResult

    public struct Configuration: Sendable {
        /// Concurrent reconciles (controller-runtime `MaxConcurrentReconciles`, default 1).
        public var workers = 1
        /// How long ``shutDown()`` lets in-flight reconciles run before cancelling them (30 s as controller-runtime).
        public var gracePeriod: Duration = .seconds(30)

        public init() {}
    }

    public let queue: WorkQueue<Key>
    public let configuration: Configuration
    private let reconcile: Reconcile
    private let logger: Logger
    private let metrics: ControllerMetrics?
    private let shutdownSignal = Mutex(ShutdownSignal())

    private struct ShutdownSignal {
        var requested = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private enum Exit { case timer, workers, graceExpired, cancelled }

    /// - Parameter metrics: where to record reconcile outcomes and durations; nil records nothing.
    public init(
        queue: WorkQueue<Key>, configuration: Configuration = Configuration(), logger: Logger,
        metrics: ControllerMetrics? = nil, reconcile: @escaping Reconcile
    ) {
        precondition(configuration.workers > 0, "a controller needs at least one worker")
        self.queue = queue
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.reconcile = reconcile
    }

    /// Runs the workers until ``shutDown()`` (after in-flight reconciles finish or the grace period
    /// ends) or until the calling task is cancelled.
    public func run() async {
        await withTaskGroup(of: Exit.self) { group in
            group.addTask {
                await self.queue.run()
                return .timer
            }
            group.addTask {
                await withDiscardingTaskGroup { workers in
                    for _ in 0..<self.configuration.workers {
                        workers.addTask { await self.work() }
                    }
                }
                return .workers
            }
            group.addTask {
                guard await self.shutdownRequested() else { return .cancelled }
                do {
                    try await self.queue.clock.sleep(for: self.configuration.gracePeriod)
                    return .graceExpired
                } catch {
                    return .cancelled
                }
            }
            for await exit in group {
                switch exit {
                case .workers:
                    group.cancelAll()
                case .graceExpired:
                    logger.warning(
                        "shutdown grace period ended; cancelling in-flight reconciles",
                        metadata: ["inFlight": "\(queue.processingCount)"])
                    group.cancelAll()
                case .timer, .cancelled:
                    break
                }
            }
        }
        queue.shutDown()
    }

    /// Starts a graceful shutdown: intake stops now, in-flight reconciles get the grace period.
    public func shutDown() {
        logger.info("controller shutting down", metadata: ["inFlight": "\(queue.processingCount)"])
        queue.shutDown()
        shutdownSignal.withLock { s in
            s.requested = true
            defer { s.waiter = nil }
            return s.waiter
        }?.resume(returning: true)
    }

    // MARK: Workers

    private func work() async {
        while let key = await queue.next() {
            await process(key)
            queue.done(key)
        }
    }

    private func process(_ key: Key) async {
        let start = metrics == nil ? nil : queue.clock.now
        func finished(_ result: ControllerMetrics.Result) {
            if let metrics, let start { metrics.record(result, duration: queue.clock.now - start) }
        }
        do {
            switch try await reconcile(key) {
            case .done:
                finished(.success)
                queue.forget(key)
            case .requeue(let after):
                finished(.requeue)
                queue.forget(key)
                queue.add(key, after: after)
            }
        } catch let error as TerminalError {
            finished(.error)
            queue.forget(key)
            logger.error("reconcile failed terminally; not retrying", metadata: ["key": "\(key)", "error": "\(error.underlying)"])
        } catch is CancellationError where Task.isCancelled {
            logger.debug("reconcile cancelled", metadata: ["key": "\(key)"])
        } catch {
            finished(.error)
            queue.addRateLimited(key)
            logger.warning(
                "reconcile failed; retrying with backoff",
                metadata: ["key": "\(key)", "error": "\(error)", "attempts": "\(queue.numRequeues(key))"])
        }
    }

    /// True when a shutdown was requested, false when the waiting task was cancelled first.
    private func shutdownRequested() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = shutdownSignal.withLock { s in
                    if s.requested { return true }
                    if Task.isCancelled { return false }
                    s.waiter = c
                    return nil
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            shutdownSignal.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }?.resume(returning: false)
        }
    }
}
