public import Logging
public import TendKube
public import TendMeta
public import TendValue
import Synchronization

/// Creates and runs ``Informer``s, one per (resource, namespace scope, label selector, field
/// selector), shared by every consumer that asks for the same combination: one list and one watch
/// per combination, however many controllers read it.
///
/// Contract:
/// - ``informer(for:namespace:labelSelector:fieldSelector:)`` resolves the kind through discovery
///   (a kind the server does not serve throws ``TendKube/KubeError/Code/unknownResource``) and
///   returns the shared informer, creating it on first use. Namespaced kinds with `namespace: nil`
///   are listed and watched across all namespaces; cluster-scoped kinds ignore the namespace.
///   Empty selectors are the same as nil.
/// - ``run()`` runs every informer — those that exist and those created while it runs — until the
///   calling task is cancelled; informers are stopped when it returns.
/// - Informers never throw: list and watch errors are logged (with kind and step) and retried with
///   backoff. Objects pass through `transform` before they are stored (default: drop
///   `metadata.managedFields`). With the default, lists and watches skip `metadata.managedFields`
///   already while decoding (``TendValue/JSON/ParseOptions/skipsManagedFields``): it is never built.
///   A custom transform receives objects as the server sent them, managedFields included.
public final class SharedInformerFactory: Sendable {
    public let client: KubeClient
    let clock: any RuntimeClock
    let logger: Logger
    let transform: @Sendable (Value) -> Value
    /// True with the default transform: lists and watches skip managedFields while decoding.
    let skipsManagedFields: Bool
    let configuration: ReflectorConfiguration
    private let state = Mutex(State())

    struct InformerKey: Hashable, Sendable {
        var resource: GroupVersionResource
        var namespace: String?
        var labelSelector: String?
        var fieldSelector: String?
    }

    private struct State {
        var informers: [InformerKey: Informer] = [:]
        var runners: [Int: AsyncStream<Informer>.Continuation] = [:]
        var nextRunner = 0
    }

    /// - Parameters:
    ///   - transform: applied to every object before it is stored; nil: drop `metadata.managedFields`.
    ///   - reflector: list/watch tuning (page size 2500, watch timeouts 5–10 min, backoff).
    public init(
        client: KubeClient, clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "tend.informers"),
        transform: (@Sendable (Value) -> Value)? = nil, reflector: ReflectorConfiguration = ReflectorConfiguration()
    ) {
        self.client = client
        self.clock = clock
        self.logger = logger
        self.transform = transform ?? Store.dropManagedFields
        self.skipsManagedFields = transform == nil
        self.configuration = reflector
    }

    /// The shared informer for this (kind, namespace scope (nil = all), label selector, field
    /// selector); created on first use, started if ``run()`` is running.
    public func informer(
        for kind: GroupVersionKind, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil
    ) async throws(KubeError) -> Informer {
        let resource = try await client.resource(kind, namespace: namespace)
        return informer(resource, kind: kind, labelSelector: labelSelector, fieldSelector: fieldSelector)
    }

    /// The shared informer for a resource already described (no discovery): same sharing as
    /// ``informer(for:namespace:labelSelector:fieldSelector:)``.
    public func informer(
        for resource: APIResource, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil
    ) -> Informer {
        informer(
            client.resource(resource, namespace: namespace), kind: resource.groupVersionKind, labelSelector: labelSelector,
            fieldSelector: fieldSelector)
    }

    private func informer(_ resource: ResourceClient, kind: GroupVersionKind, labelSelector: String?, fieldSelector: String?) -> Informer {
        let labelSelector = labelSelector.flatMap { $0.isEmpty ? nil : $0 }
        let fieldSelector = fieldSelector.flatMap { $0.isEmpty ? nil : $0 }
        let key = InformerKey(
            resource: resource.resource.groupVersionResource, namespace: resource.namespace,
            labelSelector: labelSelector, fieldSelector: fieldSelector)
        let (informer, runners) = state.withLock { s -> (Informer, [AsyncStream<Informer>.Continuation]) in
            if let existing = s.informers[key] { return (existing, []) }
            var storeConfiguration = Store.Configuration()
            storeConfiguration.transform = transform
            let informer = Informer(
                kind: kind, resource: resource, labelSelector: labelSelector, fieldSelector: fieldSelector,
                store: Store(storeConfiguration), clock: clock, logger: logger, configuration: configuration,
                skipsManagedFields: skipsManagedFields)
            s.informers[key] = informer
            return (informer, Array(s.runners.values))
        }
        for runner in runners { runner.yield(informer) }
        return informer
    }

    /// Every informer created so far.
    public var informers: [Informer] { state.withLock { Array($0.informers.values) } }

    /// The number of distinct informers (one list + watch each).
    public var informerCount: Int { state.withLock { $0.informers.count } }

    /// True when every informer created so far has synced.
    public var hasSynced: Bool { informers.allSatisfy(\.hasSynced) }

    /// Returns once every informer created so far has synced (or on cancellation).
    public func waitForSync() async {
        for informer in informers { await informer.waitForSync() }
    }

    /// Runs every informer (including ones added later) until the calling task is cancelled.
    public func run() async {
        let (stream, continuation) = AsyncStream<Informer>.makeStream()
        let (id, existing) = state.withLock { s -> (Int, [Informer]) in
            s.nextRunner += 1
            s.runners[s.nextRunner] = continuation
            return (s.nextRunner, Array(s.informers.values))
        }
        logger.debug("informer factory running", metadata: ["informers": "\(existing.count)"])
        await withDiscardingTaskGroup { group in
            for informer in existing { group.addTask { await informer.run() } }
            for await informer in stream { group.addTask { await informer.run() } }
        }
        state.withLock { _ = $0.runners.removeValue(forKey: id) }
        continuation.finish()
    }
}
