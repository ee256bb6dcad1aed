public import CoreMetrics
public import TendRuntime

/// How `tend run` runs the engine.
public struct EngineOptions: Sendable {
    /// Limit every watch and write to one namespace; nil: all namespaces.
    public var namespace: String?
    /// Concurrent reconciles per rule.
    public var workers = 2
    /// The namespace of the inventory record (``TendRules/InventoryRecord``, the ConfigMap
    /// `tend-inventory`): the kinds each rule has had children of. `tend run` uses the Lease's
    /// namespace with leader election, else the context's namespace (in a cluster, the Pod's).
    public var inventoryNamespace = "default"
    /// Leader election on a Lease, or nil to run without it.
    public var leaderElection: LeaderElection?
    /// Reconcile only this shard's objects.
    public var shard: ShardFilter?
    /// How often a rule whose kind is not served yet checks again.
    public var kindRetryInterval: Duration = .seconds(5)
    /// How often every watched object of every rule is queued again although nothing changed
    /// (±10 % jitter per period; ``TendRuntime/PeriodicResync``); `.zero` disables it. The default,
    /// 10 h, is controller-runtime's `SyncPeriod`.
    public var resyncPeriod: Duration = .seconds(10 * 3600)
    /// How long in-flight reconciles may take to finish on shutdown.
    public var gracePeriod: Duration = .seconds(30)
    /// Where the engine records its metrics (see docs/metrics.md); a no-op by default. Pass a
    /// ``MetricsRegistry``'s factory to serve them, and the same factory to the `KubeClient`'s options.
    public var metrics: any MetricsFactory = NOOPMetricsHandler.instance
    /// Shadow mode (`tend run --dry-run`): everything runs as usual, but every write the rules make
    /// (children, prunes, the parent's fields and finalizer, the status) is sent as a server-side dry
    /// run (`dryRun=All`) and nothing is persisted; no Event is written. Each object's planned writes
    /// are logged when they change, and counted (`tend_shadow_writes_total`,
    /// `tend_shadow_rejections_total`); see ``ShadowGuard`` and docs/planning.md.
    public var dryRun = false
    /// Which Events are recorded (`tend run --events`): by default problems, phase transitions,
    /// deletions and releases, not every routine child write (see ``EventPolicy``).
    public var events: EventPolicy = .problems

    public struct LeaderElection: Sendable {
        public var namespace: String
        public var name: String
        public var identity: String
        public init(namespace: String, name: String, identity: String) {
            self.namespace = namespace
            self.name = name
            self.identity = identity
        }
    }

    public init() {}
}
