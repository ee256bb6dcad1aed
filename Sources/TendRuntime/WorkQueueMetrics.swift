public import CoreMetrics
import TendKube

/// The metrics of one ``WorkQueue``: client-go's `workqueue` metrics with the `tend_` prefix.
///
/// | metric | type | meaning |
/// | --- | --- | --- |
/// | `tend_workqueue_depth` | gauge | ready keys (``WorkQueue/count``) |
/// | `tend_workqueue_adds_total` | counter | keys that became queued (a key already queued is not counted again) |
/// | `tend_workqueue_retries_total` | counter | ``WorkQueue/addRateLimited(_:)`` calls |
/// | `tend_workqueue_queue_duration_seconds` | histogram | from add to being handed to a worker |
/// | `tend_workqueue_work_duration_seconds` | histogram | from being handed to a worker to ``WorkQueue/done(_:)`` |
///
/// Every series carries `dimensions` (Tend uses `rule`): one queue, one label set, whatever the
/// number of keys. The metrics come from the injected `factory` (client-go's `MetricsProvider`),
/// never from the process-global `MetricsSystem`, so tests can read an isolated registry.
public struct WorkQueueMetrics: Sendable {
    public static let depthName = "tend_workqueue_depth"
    public static let addsName = "tend_workqueue_adds_total"
    public static let retriesName = "tend_workqueue_retries_total"
    public static let queueDurationName = "tend_workqueue_queue_duration_seconds"
    public static let workDurationName = "tend_workqueue_work_duration_seconds"

    let depth: Gauge
    let adds: Counter
    let retries: Counter
    let queueDuration: Timer
    let workDuration: Timer

    public init(dimensions: [(String, String)], factory: any MetricsFactory) {
        depth = Gauge(label: Self.depthName, dimensions: dimensions, factory: factory)
        adds = Counter(label: Self.addsName, dimensions: dimensions, factory: factory)
        retries = Counter(label: Self.retriesName, dimensions: dimensions, factory: factory)
        queueDuration = Timer(label: Self.queueDurationName, dimensions: dimensions, factory: factory)
        workDuration = Timer(label: Self.workDurationName, dimensions: dimensions, factory: factory)
    }
}

/// The per-key timestamps the queue metrics need, kept beside ``WorkQueueState`` (which stays a pure
/// state machine) and only when the queue has metrics. Mutated under the queue's lock.
///
/// Bounded like the queue itself: an add time exists only for a queued (dirty) key, a start time
/// only for a key in flight; ``shutDown()`` drops the add times of the keys the queue drops.
struct WorkQueueTracker<Key: Hashable & Sendable>: Sendable {
    let metrics: WorkQueueMetrics
    private var addTimes: [Key: RuntimeInstant] = [:]
    private var startTimes: [Key: RuntimeInstant] = [:]
    private var lastDepth = -1

    init(metrics: WorkQueueMetrics) { self.metrics = metrics }

    /// `key` became queued (it was not dirty before).
    mutating func added(_ key: Key, now: RuntimeInstant) {
        metrics.adds.increment()
        if addTimes[key] == nil { addTimes[key] = now }
    }

    /// A rate-limited re-add.
    func retried() { metrics.retries.increment() }

    /// `key` was handed to a worker.
    mutating func handedOut(_ key: Key, now: RuntimeInstant) {
        if let added = addTimes.removeValue(forKey: key) { metrics.queueDuration.record(now - added) }
        startTimes[key] = now
    }

    /// The worker finished `key`.
    mutating func finished(_ key: Key, now: RuntimeInstant) {
        if let started = startTimes.removeValue(forKey: key) { metrics.workDuration.record(now - started) }
    }

    /// Records the ready-key count when it changed since the last record.
    mutating func depth(_ count: Int) {
        guard count != lastDepth else { return }
        lastDepth = count
        metrics.depth.record(count)
    }

    /// The queue dropped its queued keys.
    mutating func shutDown() {
        addTimes.removeAll()
        depth(0)
    }
}
