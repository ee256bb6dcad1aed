public import CoreMetrics
public import Logging
public import TendKube
import TendMeta
public import TendValue
import Synchronization

/// Lease-based leader election against the API server: drives a ``LeaderElectionStateMachine``
/// with GET/POST/PUT of a `coordination.k8s.io/v1` Lease.
///
/// Contract:
/// - ``run(onStartLeading:)`` campaigns until the calling task is cancelled: it acquires the
///   Lease when it is absent, released or expired, renews it every ``Configuration/retryPeriod``,
///   and calls `onStartLeading` when it becomes leader. `onStartLeading` must run every writer as
///   child work of itself (task groups, `async let`), so that cancelling it stops them all.
/// - **Step-down in time.** Every Lease request is raced against the step-down deadline (last
///   successful renewal *sent* + ``Configuration/renewDeadline``) and against
///   ``Configuration/renewDeadline`` itself: a hanging renewal is abandoned, and when no renewal
///   has succeeded by the deadline the elector cancels `onStartLeading` and waits for it to return
///   before doing anything else. Another candidate cannot take over before
///   ``Configuration/leaseDuration`` after that send, which leaves `leaseDuration − renewDeadline`
///   (5 s by default) for writers to stop.
/// - After losing the Lease the elector keeps campaigning and calls `onStartLeading` again if it
///   wins again. Processes that would rather restart can exit when `onStartLeading` is cancelled.
/// - **Release.** On cancellation the elector stops leading first (cancels `onStartLeading`, waits
///   for it), then, when ``Configuration/releaseOnCancel`` is on (default), clears the holder and sets
///   a 1 s duration, so that a successor takes over at once instead of waiting out the lease.
/// - Errors of Lease requests are logged and retried every ``Configuration/retryPeriod``.
/// - Leader election is not fencing: see ``LeaderElectionStateMachine``.
/// - **Metric.** The gauge `tend_leader` (no labels) from the injected factory is 1 while
///   ``isLeader``, 0 otherwise (controller-runtime's `leader_election_master_status`).
public final class LeaderElector: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// How long others wait after the last observed change before taking over (15 s).
        public var leaseDuration: Duration
        /// How long the leader keeps leading without a successful renewal (10 s).
        public var renewDeadline: Duration
        /// Interval between attempts to acquire or renew (2 s).
        public var retryPeriod: Duration
        /// Release the Lease when ``LeaderElector/run(onStartLeading:)`` is cancelled (client-go
        /// `ReleaseOnCancel`). Off, a cancelled leader just stops renewing, as a killed process would.
        public var releaseOnCancel: Bool

        public init(
            leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
            retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true
        ) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.releaseOnCancel = releaseOnCancel
        }
    }

    public let client: KubeClient
    public let leaseNamespace: String
    public let leaseName: String
    public let identity: String
    public let configuration: Configuration
    let clock: any RuntimeClock
    let logger: Logger
    let wallClock: @Sendable () -> WallTime
    private let leading = Mutex(false)
    private let leaderGauge: Gauge

    /// The name of the leadership gauge.
    public static let leaderGaugeName = "tend_leader"

    static let leaseResource = APIResource(
        groupVersion: GroupVersion(group: "coordination.k8s.io", version: "v1"), name: "leases", kind: "Lease",
        namespaced: true)

    public init(
        client: KubeClient, leaseNamespace: String, leaseName: String, identity: String,
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "tend.leader-election"),
        configuration: Configuration = Configuration(), wallClock: @escaping @Sendable () -> WallTime = { WallTime.now() },
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        var machineConfiguration = LeaderElectionStateMachine.Configuration(identity: identity)
        machineConfiguration.leaseDuration = configuration.leaseDuration
        machineConfiguration.renewDeadline = configuration.renewDeadline
        machineConfiguration.retryPeriod = configuration.retryPeriod
        _ = LeaderElectionStateMachine(machineConfiguration)  // validates the durations
        precondition(configuration.leaseDuration >= .seconds(1), "leaseDuration is written in whole seconds")
        self.client = client
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
        self.identity = identity
        self.clock = clock
        var logger = logger
        logger[metadataKey: "lease"] = "\(leaseNamespace)/\(leaseName)"
        logger[metadataKey: "identity"] = "\(identity)"
        self.logger = logger
        self.configuration = configuration
        self.wallClock = wallClock
        leaderGauge = Gauge(label: Self.leaderGaugeName, factory: metrics)
        leaderGauge.record(0)
    }

    /// True while `onStartLeading` is meant to run (between start and stop of leading).
    public var isLeader: Bool { leading.withLock { $0 } }

    /// Runs until cancelled: acquires, renews; calls `onStartLeading` (which must run the writers
    /// as child work) and cancels it when leadership is lost or about to be; releases the lease on
    /// cancellation (see ``Configuration/releaseOnCancel``). Returns after `onStartLeading` has
    /// returned. Throws nothing today; `throws` leaves room for fatal setup errors.
    public func run(onStartLeading: @escaping @Sendable () async -> Void) async throws {
        var machineConfiguration = LeaderElectionStateMachine.Configuration(identity: identity)
        machineConfiguration.leaseDuration = configuration.leaseDuration
        machineConfiguration.renewDeadline = configuration.renewDeadline
        machineConfiguration.retryPeriod = configuration.retryPeriod
        var machine = LeaderElectionStateMachine(machineConfiguration)
        let leases = client.resource(Self.leaseResource, namespace: leaseNamespace)
        var leader: Task<Void, Never>?
        var actions = machine.start(now: clock.now)

        func stopLeading() async {
            leading.withLock { $0 = false }
            leaderGauge.record(0)
            guard let task = leader else { return }
            logger.info("stopping leading")
            task.cancel()
            await task.value
            leader = nil
        }

        loop: while !Task.isCancelled, !actions.isEmpty {
            let action = actions.removeFirst()
            var input: LeaderElectionStateMachine.Input?
            switch action {
            case .read:
                input = await bounded(machine) { () async -> LeaderElectionStateMachine.Input in
                    await self.read(leases)
                } ?? .readFailed
            case .create(let record):
                input = await bounded(machine) { () async -> LeaderElectionStateMachine.Input in
                    await self.write(leases, record, resourceVersion: nil)
                } ?? .writeFailed
            case .update(let record, let resourceVersion):
                input = await bounded(machine) { () async -> LeaderElectionStateMachine.Input in
                    await self.write(leases, record, resourceVersion: resourceVersion)
                } ?? .writeFailed
            case .startLeading:
                logger.info("became leader")
                leading.withLock { $0 = true }
                leaderGauge.record(1)
                leader = Task { await onStartLeading() }
            case .stopLeading:
                logger.warning("leadership lost or about to expire; stepping down")
                await stopLeading()
            case .wait(let deadline):
                do {
                    try await clock.sleep(until: deadline)
                } catch {
                    break loop
                }
                input = .tick
            }
            if let input, !Task.isCancelled {
                actions += machine.handle(input, now: clock.now, wallTime: wallClock())
            }
        }

        // Shutdown: stop leading first, then (maybe) release.
        for action in machine.handle(.shutdown, now: clock.now, wallTime: wallClock()) {
            switch action {
            case .stopLeading:
                await stopLeading()
            case .update(let record, let resourceVersion) where configuration.releaseOnCancel:
                // The calling task is cancelled: release from a fresh task, bounded by the renew deadline.
                let release = Task { [leases] in
                    await self.withTimeout(self.configuration.renewDeadline) {
                        await self.write(leases, record, resourceVersion: resourceVersion)
                    }
                }
                switch await release.value {
                case .writeSucceeded?: logger.info("released the lease")
                default: logger.warning("could not release the lease; successors wait for it to expire")
                }
            default:
                break
            }
        }
        await stopLeading()
    }

    // MARK: Requests

    /// Runs `request`, abandoning it at the step-down deadline (while leading) or after the renew
    /// deadline, whichever comes first; nil when abandoned.
    private func bounded(
        _ machine: LeaderElectionStateMachine, _ request: @escaping @Sendable () async -> LeaderElectionStateMachine.Input
    ) async -> LeaderElectionStateMachine.Input? {
        var deadline = clock.now + configuration.renewDeadline
        if let stepDown = machine.stepDownDeadline { deadline = min(deadline, stepDown) }
        return await withTimeout(until: deadline, request)
    }

    private func withTimeout<T: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withTimeout(until: clock.now + duration, body)
    }

    private func withTimeout<T: Sendable>(until deadline: RuntimeInstant, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await self.clock.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func read(_ leases: ResourceClient) async -> LeaderElectionStateMachine.Input {
        do {
            let object = try await leases.get(leaseName)
            guard let lease = Self.decode(object) else {
                logger.warning("the lease has no resourceVersion", metadata: ["step": "read"])
                return .readFailed
            }
            return .observed(lease)
        } catch {
            if error.isNotFound { return .observed(nil) }
            if error.code != .cancelled { logger.warning("reading the lease failed", metadata: ["step": "read", "error": "\(error)"]) }
            return .readFailed
        }
    }

    private func write(_ leases: ResourceClient, _ record: LeaseRecord, resourceVersion: String?) async -> LeaderElectionStateMachine.Input {
        let object = Self.encode(record, namespace: leaseNamespace, name: leaseName, resourceVersion: resourceVersion)
        do {
            let stored = resourceVersion == nil ? try await leases.create(object) : try await leases.update(object)
            guard let lease = Self.decode(stored) else { return .writeFailed }
            return .writeSucceeded(lease)
        } catch {
            let step = resourceVersion == nil ? "create" : "update"
            if error.isConflict || error.isAlreadyExists {
                logger.debug("lease changed concurrently", metadata: ["step": "\(step)"])
            } else if error.code != .cancelled {
                logger.warning("writing the lease failed", metadata: ["step": "\(step)", "error": "\(error)"])
            }
            return .writeFailed
        }
    }

    // MARK: Encoding

    /// The Lease object for `record`.
    public static func encode(_ record: LeaseRecord, namespace: String, name: String, resourceVersion: String?) -> Value {
        var metadata: Value = ["name": .string(name), "namespace": .string(namespace)]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        var spec: Value = [
            "holderIdentity": .string(record.holderIdentity ?? ""),
            "leaseDurationSeconds": .int(Int64(record.leaseDurationSeconds)),
            "leaseTransitions": .int(Int64(record.leaseTransitions)),
        ]
        if let t = record.acquireTime { spec["acquireTime"] = .string(t.microTimeString) }
        if let t = record.renewTime { spec["renewTime"] = .string(t.microTimeString) }
        return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata, "spec": spec]
    }

    /// The record and resourceVersion of a Lease object; nil without a resourceVersion.
    public static func decode(_ object: Value) -> ObservedLease? {
        guard let rv = object["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty else { return nil }
        let spec = object["spec"]
        let record = LeaseRecord(
            holderIdentity: spec?["holderIdentity"]?.stringValue,
            leaseDurationSeconds: spec?["leaseDurationSeconds"]?.intValue.map { Int($0) } ?? 0,
            acquireTime: spec?["acquireTime"]?.stringValue.flatMap { WallTime(parsing: $0) },
            renewTime: spec?["renewTime"]?.stringValue.flatMap { WallTime(parsing: $0) },
            leaseTransitions: spec?["leaseTransitions"]?.intValue.map { Int($0) } ?? 0)
        return ObservedLease(record: record, resourceVersion: rv)
    }
}
