import TendRuntime

/// Every metric Tend exposes at `/metrics`: name, type, labels, help text and histogram buckets.
///
/// The instrumented modules create their metrics by name through an injected swift-metrics
/// factory; this catalog is where the Prometheus side gets each metric's `# HELP` line and buckets,
/// and what docs/metrics.md lists (a test keeps the two in step). Labels name a rule, a verb, a
/// status code or an outcome — never an object — so the number of series does not grow with the
/// cluster.
struct MetricCatalog {
    enum Kind: String { case counter, gauge, histogram }

    struct Entry {
        var name: String
        var kind: Kind
        var labels: [String]
        var help: String
        /// Upper bounds in seconds (histograms only).
        var buckets: [Double] = []
    }

    /// controller-runtime's reconcile buckets, thinned: 5 ms to 60 s.
    static let reconcileBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// client-go's work queue buckets: 10 ns to 10 s, by factors of ten.
    static let queueBuckets: [Double] = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10]
    /// client-go's request latency buckets: 5 ms to 60 s.
    static let requestBuckets: [Double] = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60]

    static let all: [Entry] = [
        Entry(name: ControllerMetrics.totalName, kind: .counter, labels: ["rule", "result"],
              help: "Reconciles per rule by result: success, error or requeue."),
        Entry(name: ControllerMetrics.errorsName, kind: .counter, labels: ["rule"],
              help: "Reconciles per rule that failed (retried with backoff, or terminal)."),
        Entry(name: ControllerMetrics.durationName, kind: .histogram, labels: ["rule"],
              help: "Time per reconcile, in seconds.", buckets: reconcileBuckets),
        Entry(name: WorkQueueMetrics.depthName, kind: .gauge, labels: ["rule"],
              help: "Keys ready in the rule's work queue."),
        Entry(name: WorkQueueMetrics.addsName, kind: .counter, labels: ["rule"],
              help: "Keys added to the rule's work queue (a key already queued is not counted again)."),
        Entry(name: WorkQueueMetrics.retriesName, kind: .counter, labels: ["rule"],
              help: "Rate-limited re-adds (retries after a failed reconcile)."),
        Entry(name: WorkQueueMetrics.queueDurationName, kind: .histogram, labels: ["rule"],
              help: "Time a key waits in the work queue before a worker takes it, in seconds.", buckets: queueBuckets),
        Entry(name: WorkQueueMetrics.workDurationName, kind: .histogram, labels: ["rule"],
              help: "Time a worker spends on a key, in seconds.", buckets: queueBuckets),
        Entry(name: "tend_rest_client_requests_total", kind: .counter, labels: ["verb", "code"],
              help: "API request attempts by Kubernetes verb and HTTP status code (<error>: no response)."),
        Entry(name: "tend_rest_client_request_duration_seconds", kind: .histogram, labels: ["verb"],
              help: "Time of one API request attempt, in seconds.", buckets: requestBuckets),
        Entry(name: "tend_rest_client_rate_limiter_duration_seconds", kind: .histogram, labels: ["verb"],
              help: "Time an API request attempt waited for the client-side rate limiter, in seconds.", buckets: requestBuckets),
        Entry(name: ChildWriteMetrics.name, kind: .counter, labels: ["rule", "operation"],
              help: "Child objects written per rule: create, update, delete or orphan."),
        Entry(name: ContestGuard.metricName, kind: .counter, labels: ["rule"],
              help: "Children per rule found contested: re-applied 5 times in 60 s because another writer changed them."),
        Entry(name: ShadowGuard.writesName, kind: .counter, labels: ["rule", "operation"],
              help: "Shadow mode (tend run --dry-run): dry-run writes the server accepted, per rule and operation, counted at every reconcile."),
        Entry(name: ShadowGuard.rejectionsName, kind: .counter, labels: ["rule"],
              help: "Shadow mode (tend run --dry-run): dry-run writes refused (by the server, or a name Tend does not manage), per rule."),
        Entry(name: EngineMetrics.watchedObjectsName, kind: .gauge, labels: ["rule"],
              help: "Objects in the rule's watched-kind informer cache."),
        Entry(name: LeaderElector.leaderGaugeName, kind: .gauge, labels: [],
              help: "1 while this process leads (always 1 without leader election), else 0."),
        Entry(name: EngineMetrics.rulesName, kind: .gauge, labels: [],
              help: "Rules this process runs (after the last applied reload)."),
        Entry(name: EngineMetrics.reloadsName, kind: .counter, labels: ["result"],
              help: "Rule reloads (SIGHUP or changed rule files) by result: applied, or failed (nothing changed)."),
        Entry(name: EngineMetrics.buildInfoName, kind: .gauge, labels: ["version"],
              help: "Always 1; the version label is Tend's version."),
    ]

    static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
