import Foundation
import Testing
import TendKube
import TendMeta
import TendRuntime
import TendTesting
import TendValue

/// The reflector, informers and the leader elector against a scripted API server (no cluster):
/// the cases a real server does not produce on demand.
@Suite(.timeLimit(.minutes(1)))
struct FakeServerRuntimeTests {
    static let configMaps = APIResource(groupVersion: GroupVersion(group: "", version: "v1"), name: "configmaps", kind: "ConfigMap", namespaced: true)

    static func withClient<R>(_ handler: @escaping FakeAPIServer.Handler, _ body: (KubeClient) async throws -> R) async throws -> R {
        let server = try FakeAPIServer(handler: handler)
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = .unlimited
        let options = KubeClient.Options(retryPolicy: .none, connectTimeout: .seconds(2), requestTimeout: .seconds(10))
        return try await KubeClient.withClient(config, options: options) { client in try await body(client) }
    }

    static func cm(_ name: String, rv: String) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "ns", "resourceVersion": .string(rv)]]
    }

    static func list(_ items: [Value], rv: String) -> FakeAPIServer.Action {
        .json(200, ["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": .string(rv)], "items": .array(items)])
    }

    static func event(_ type: String, _ object: Value) -> String {
        JSON.serialize(["type": .string(type), "object": object])
    }

    static let expired = event("ERROR", ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410,
                                         "message": "too old resource version: 11 (20)"])

    @Test func errorEventGoneRelistsAndReportsTheVanishedObjectAsDeleted() async throws {
        let lists = Locked(0), watches = Locked<[String]>([])
        try await Self.withClient({ request, _ in
            if request.query["watch"] == "true" {
                let n = watches.withLock { $0.append(request.query["resourceVersion"] ?? "-"); return $0.count }
                if n == 1 {
                    return .lines([Self.event("ADDED", Self.cm("c", rv: "11")), Self.event("MODIFIED", Self.cm("a", rv: "12")), Self.expired])
                }
                return .lines([], thenStall: true)
            }
            #expect(request.query["limit"] == "2500", "the default page size")
            #expect(request.query["resourceVersion"] == nil, "lists are consistent reads")
            let n = lists.withLock { $0 += 1; return $0 }
            return n == 1 ? Self.list([Self.cm("a", rv: "5"), Self.cm("b", rv: "6")], rv: "10")
                : Self.list([Self.cm("a", rv: "12"), Self.cm("c", rv: "11")], rv: "20")
        }) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: Self.configMaps, namespace: "ns")
            #expect(factory.informer(for: Self.configMaps, namespace: "ns") === informer)
            let log = ChangeLog()
            informer.addHandler(log.handler)
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            await eventuallyReal("the handler converged on the relist") {
                watches.value.count == 2 && log.replayed() == ["a": "12", "c": "11"]
            }
            // Handlers see each object's changes in order; a change still waiting to be delivered
            // when the next one for the same object arrives is coalesced with it (documented): on a
            // loaded machine "updated a" may be folded into "added a", and "added b" with
            // "deleted b" into nothing. Whatever was folded, b is never seen deleted before added.
            let described = log.described()
            let allowed: Set<[String]> = [
                ["added a", "added b", "added c", "updated a", "deleted b"],
                ["added a", "added b", "added c", "deleted b"],
                ["added a", "added c"],
            ]
            #expect(allowed.contains(described), "\(described)")
            #expect(sortedNames(informer.store.list()) == ["a", "c"])
            #expect(informer.store.list().first { $0["metadata"]?["name"] == "a" }?["metadata"]?["resourceVersion"] == "12")
            #expect(watches.value == ["10", "20"], "watch from the list's version, then from the relist's")
            let stats = informer.statistics
            #expect(stats.relists == 1 && stats.listRequests == 2 && stats.events == 2)
            run.cancel()
            await run.value
        }
    }

    @Test func aBlockedHandlerDoesNotHoldUpTheWatch() async throws {
        let events = (0..<50).map { Self.event("ADDED", Self.cm("n\($0)", rv: "\(11 + $0)")) }
        try await Self.withClient({ request, _ in
            if request.query["watch"] == "true" { return .lines(events, thenStall: true) }
            return Self.list([Self.cm("first", rv: "5")], rv: "10")
        }) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: Self.configMaps, namespace: "ns")
            let release = Locked(false)
            let seen = Locked<[String]>([])
            informer.addHandler { change in
                // Blocks (against the contract) until the test lets it go.
                let deadline = ContinuousClock.now + .seconds(20)
                while !release.value && ContinuousClock.now < deadline { usleep(1_000) }
                seen.withLock { $0.append(change.key.name) }
            }
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            await eventuallyReal("the watch filled the store while the handler is blocked") { informer.store.count == 51 }
            // The handler is stuck on the first change and has seen nothing yet, yet the store is full:
            // the watch never waited for it.
            #expect(seen.value.isEmpty)
            release.withLock { $0 = true }
            await eventuallyReal("the handler caught up") { seen.value.count == 51 }
            #expect(seen.value == ["first"] + (0..<50).map { "n\($0)" }, "in order")
            run.cancel()
            await run.value
        }
    }

    @Test func failedListBacksOffOnTheClockThenRetriesTheSamePage() async throws {
        let requests = Locked<[String]>([])
        try await Self.withClient({ request, _ in
            if request.query["watch"] == "true" { return .lines([], thenStall: true) }
            let n = requests.withLock { $0.append(request.query["continue"] ?? "first"); return $0.count }
            switch n {
            case 1: return .json(200, ["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": "10", "continue": "page2"],
                                       "items": [Self.cm("a", rv: "5")]])
            case 2: return .status(500, reason: "InternalError", message: "etcd hiccup")
            default: return Self.list([Self.cm("b", rv: "6")], rv: "10")
            }
        }) { client in
            let clock = ManualClock()
            var tuning = ReflectorConfiguration()
            tuning.backoff.jitter = 0
            let factory = SharedInformerFactory(client: client, clock: clock, reflector: tuning)
            let informer = factory.informer(for: Self.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await eventuallyReal("the backoff timer") { clock.sleeperCount == 1 }
            #expect(clock.sleeperDeadlines == [.zero + .milliseconds(800)])
            #expect(requests.value == ["first", "page2"] && !informer.hasSynced && informer.statistics.failures == 1)
            clock.advance(by: .milliseconds(799))
            try await Task.sleep(for: .milliseconds(50))
            #expect(requests.value.count == 2, "nothing before the backoff has elapsed")
            clock.advance(by: .milliseconds(1))
            await informer.waitForSync()
            #expect(requests.value == ["first", "page2", "page2"], "the same page again, not a new list")
            #expect(sortedNames(informer.store.list()) == ["a", "b"])
            run.cancel()
            await run.value
        }
    }

    @Test func leaderStepsDownByTheDeadlineWhenARenewalHangs() async throws {
        let lease = LeaderElector.encode(
            LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 4, acquireTime: .now(), renewTime: .now()),
            namespace: "ns", name: "l", resourceVersion: "1")
        let created = Locked(false)
        try await Self.withClient({ request, _ in
            switch request.method {
            case "GET": return created.value ? .json(200, lease) : .status(404, reason: "NotFound")
            case "POST":
                created.withLock { $0 = true }
                return .json(201, lease)
            default: return .lines([], thenStall: true)  // every renewal hangs
            }
        }) { client in
            let elector = LeaderElector(
                client: client, leaseNamespace: "ns", leaseName: "l", identity: "a",
                configuration: .init(leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .seconds(1)))
            let times = Locked<(started: ContinuousClock.Instant?, stopped: ContinuousClock.Instant?)>((nil, nil))
            let task = Task {
                try await elector.run {
                    times.withLock { $0.started = .now }
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
                    times.withLock { $0.stopped = .now }
                }
            }
            await eventuallyReal("stepping down", timeout: .seconds(60)) { times.value.stopped != nil }
            let led = try #require(times.value.stopped) - (try #require(times.value.started))
            print("[measure] led for \(led) with every renewal hanging (renew deadline 3 s)")
            // Safety: writers stop before the lease (4 s) could pass to another process. (No lower bound:
            // under load `onStartLeading` may start late, after the lease was already acquired.)
            #expect(led <= .seconds(3.9))
            #expect(!elector.isLeader)
            task.cancel()
            _ = try? await task.value
        }
    }
}

/// Polls every 10 ms of real time; records an issue after `timeout`. The default is long (60 s):
/// on a 2-core machine the fake server and the client share the cooperative pool with every other
/// test, and a stretch of blocking tests can delay them for seconds (seen in CI); a healthy run
/// returns as soon as the condition holds.
func eventuallyReal(
    _ what: String, timeout: Duration = .seconds(60), sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return }
        try? await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}
