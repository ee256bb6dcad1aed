public import CoreMetrics

/// The engine's own metrics: rules loaded, build info, and per rule the size of the watched cache.
/// (Reconcile, work queue, client, child-write and leader metrics are recorded where they happen:
/// ``ControllerMetrics``, ``WorkQueueMetrics``, `KubeClient`, ``ChildWriteMetrics``, `LeaderElector`.)
///
/// Gauges that mirror a cache are refreshed by ``Engine/updateMetrics()`` just before a scrape,
/// like a Prometheus collector, instead of on every watch event.
public struct EngineMetrics: Sendable {
    public static let rulesName = "tend_rules"
    public static let watchedObjectsName = "tend_watched_objects"
    public static let buildInfoName = "tend_build_info"
    public static let reloadsName = "tend_rule_reloads_total"

    let factory: any MetricsFactory
    let rules: Gauge
    /// `tend_rule_reloads_total{result="applied"}` and `{result="failed"}`.
    let reloadsApplied: Counter
    let reloadsFailed: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        rules = Gauge(label: Self.rulesName, factory: factory)
        reloadsApplied = Counter(label: Self.reloadsName, dimensions: [("result", "applied")], factory: factory)
        reloadsFailed = Counter(label: Self.reloadsName, dimensions: [("result", "failed")], factory: factory)
    }

    /// `tend_watched_objects{rule}` (the registry returns the same series for the same rule name).
    func watchedObjects(_ rule: String) -> Gauge {
        Gauge(label: Self.watchedObjectsName, dimensions: [("rule", rule)], factory: factory)
    }

    /// Records `tend_build_info{version}` = 1 (the conventional info metric).
    public static func recordBuildInfo(version: String, factory: any MetricsFactory) {
        Gauge(label: buildInfoName, dimensions: [("version", version)], factory: factory).record(1)
    }
}

/// `tend_child_writes_total{rule, operation}`: child writes a ``PlanExecutor`` made, by operation
/// (`create`, `update`, `delete`, `orphan`). Dry runs (`tend plan`) are not counted.
public struct ChildWriteMetrics: Sendable {
    public static let name = "tend_child_writes_total"

    /// The `operation` label.
    enum Operation: String, CaseIterable {
        case create, update, delete, orphan
    }

    private let counters: [Operation: Counter]

    public init(rule: String, factory: any MetricsFactory) {
        var counters: [Operation: Counter] = [:]
        for operation in Operation.allCases {
            counters[operation] = Counter(label: Self.name, dimensions: [("rule", rule), ("operation", operation.rawValue)], factory: factory)
        }
        self.counters = counters
    }

    func record(_ operation: Operation) { counters[operation]?.increment() }
}
