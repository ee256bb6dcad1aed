import Logging
import Synchronization
public import TendMeta
import TendValue

/// Discovery: reads `/api` and `/apis`, then every group version's resource list concurrently
/// (multiplexed over the client's HTTP/2 connection), and caches the resulting ``RESTMapping``.
///
/// The cache is refreshed when a lookup misses (a kind or resource the mapping does not know,
/// e.g. a CRD installed after the client started), at most once per
/// ``KubeClient/Options/discoveryRefreshInterval``; concurrent refreshes are coalesced. A group
/// version whose resource list fails (an aggregated API that is down) is left out and logged;
/// the rest of the mapping is still used.
public actor Discovery {
    private nonisolated let clientRef = ClientRef()
    private let clock: KubeClock
    private let minRefreshInterval: Duration
    private let logger: Logger
    private var cached: RESTMapping?
    private var lastRefresh: ContinuousClock.Instant?
    private var running: Task<Result<RESTMapping, KubeError>, Never>?
    /// How many times discovery documents were fetched (diagnostics and tests).
    public private(set) var refreshCount = 0

    init(clock: KubeClock, minRefreshInterval: Duration, logger: Logger) {
        self.clock = clock
        self.minRefreshInterval = minRefreshInterval
        self.logger = logger
    }

    nonisolated func attach(_ client: KubeClient) {
        clientRef.set(client)
    }

    /// The cached mapping, fetched on first use.
    public func mapping() async throws(KubeError) -> RESTMapping {
        if let cached { return cached }
        return try await refresh()
    }

    /// Fetches the discovery documents again (joins a refresh already running).
    @discardableResult
    public func refresh() async throws(KubeError) -> RESTMapping {
        let task: Task<Result<RESTMapping, KubeError>, Never>
        if let running {
            task = running
        } else {
            guard let client = clientRef.get() else {
                throw KubeError(.transport, request: RequestDescription(verb: "discover", resource: "api"), message: "client is gone")
            }
            refreshCount += 1
            lastRefresh = clock.now()
            let logger = self.logger
            task = Task { await Self.fetch(client, logger: logger) }
            running = task
        }
        let result = await task.value
        if running == task {
            running = nil
            if case .success(let mapping) = result { cached = mapping }
        }
        return try result.get()
    }

    /// Whether a miss may trigger a refresh now.
    private var mayRefresh: Bool {
        guard let lastRefresh else { return true }
        return clock.now() - lastRefresh >= minRefreshInterval
    }

    public func resource(for kind: GroupVersionKind) async throws(KubeError) -> APIResource {
        if let r = try await mapping().resource(for: kind) { return r }
        if mayRefresh, let r = try await refresh().resource(for: kind) { return r }
        throw KubeError(.unknownResource, request: RequestDescription(verb: "discover", resource: kind.description),
                        message: "the server does not serve kind \(kind.kind) in \(kind.apiVersion)")
    }

    public func resource(for resource: GroupVersionResource) async throws(KubeError) -> APIResource {
        if let r = try await mapping().resource(for: resource) { return r }
        if mayRefresh, let r = try await refresh().resource(for: resource) { return r }
        throw KubeError(.unknownResource, request: RequestDescription(verb: "discover", resource: resource.description),
                        message: "the server does not serve resource \(resource)")
    }

    /// The best resource for a user-typed name (see ``RESTMapping/resolve(_:)``).
    public func resolve(_ name: String) async throws(KubeError) -> APIResource {
        if let r = try await mapping().resolve(name).first { return r }
        if mayRefresh, let r = try await refresh().resolve(name).first { return r }
        throw KubeError(.unknownResource, request: RequestDescription(verb: "discover", resource: name),
                        message: "the server does not have a resource type \"\(name)\"")
    }

    private static func fetch(_ client: KubeClient, logger: Logger) async -> Result<RESTMapping, KubeError> {
        let core: Value
        let groups: Value
        do throws(KubeError) {
            core = try await client.getJSON("/api", description: RequestDescription(verb: "discover", resource: "api"))
            groups = try await client.getJSON("/apis", description: RequestDescription(verb: "discover", resource: "apis"))
        } catch {
            return .failure(error)
        }
        var groupVersions: [GroupVersion] = []
        var preferred: Set<GroupVersion> = []
        for (i, v) in (core["versions"]?.arrayValue ?? []).compactMap(\.stringValue).enumerated() {
            let gv = GroupVersion(group: "", version: v)
            groupVersions.append(gv)
            if i == 0 { preferred.insert(gv) }
        }
        for group in groups["groups"]?.arrayValue ?? [] {
            for version in group["versions"]?.arrayValue ?? [] {
                if let s = version["groupVersion"]?.stringValue, let gv = GroupVersion(apiVersion: s), !groupVersions.contains(gv) {
                    groupVersions.append(gv)
                }
            }
            if let s = group["preferredVersion"]?["groupVersion"]?.stringValue, let gv = GroupVersion(apiVersion: s) {
                preferred.insert(gv)
            }
        }
        let results = await withTaskGroup(of: (GroupVersion, Result<Value, KubeError>).self) { group in
            for gv in groupVersions {
                group.addTask {
                    do throws(KubeError) {
                        let value = try await client.getJSON(
                            gv.pathPrefix, description: RequestDescription(verb: "discover", resource: gv.apiVersion))
                        return (gv, .success(value))
                    } catch {
                        return (gv, .failure(error))
                    }
                }
            }
            var all: [(GroupVersion, Result<Value, KubeError>)] = []
            for await r in group { all.append(r) }
            return all
        }
        var lists: [Value] = []
        var unavailable: Set<GroupVersion> = []
        // Keep the server's order so lookups are deterministic.
        let order = Dictionary(groupVersions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for (gv, result) in results.sorted(by: { order[$0.0, default: 0] < order[$1.0, default: 0] }) {
            switch result {
            case .success(let value): lists.append(value)
            case .failure(let error):
                unavailable.insert(gv)
                logger.warning("discovery: \(gv.apiVersion) is unavailable: \(error.message)")
            }
        }
        var mapping = RESTMapping(resourceLists: lists, preferred: preferred)
        mapping.unavailable = unavailable
        return .success(mapping)
    }
}

/// The discovery cache's weak link back to its client (the client owns the cache).
private final class ClientRef: Sendable {
    private struct Weak: @unchecked Sendable { weak var client: KubeClient? }
    private let ref = Mutex(Weak())
    func set(_ client: KubeClient) { ref.withLock { $0.client = client } }
    func get() -> KubeClient? { ref.withLock { $0.client } }
}
