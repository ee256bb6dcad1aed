import Foundation
import Testing
import TendKube
import TendMeta
import TendRuntime
import TendTesting
import TendValue

/// Reflector faults from the reliability audit (docs/reliability.md, C4) against the scripted
/// server: persistent server errors, bookmark-only streams, 429 with `Retry-After`.
@Suite(.timeLimit(.minutes(1)))
struct FakeServerReflectorFaultTests {
    typealias Fake = FakeServerRuntimeTests

    static func bookmark(_ rv: String) -> String {
        Fake.event("BOOKMARK", ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["resourceVersion": .string(rv)]])
    }

    /// C4 #5 and #10: a watch answered with 504 "Too large resource version" (an HA apiserver
    /// lagging behind the one that served the list) and with `ERROR` events of code 500 is retried
    /// from the list's version on the backoff schedule; only when the errors have lasted two minutes
    /// does the reflector relist, with a consistent read (RV unset), and then watch from the new
    /// list's version. Nothing goes back in time.
    @Test func tooLargeResourceVersionAndInternalErrorsRelistOnlyAfterTheDeadline() async throws {
        let clock = ManualClock()
        let lists = Locked<[RuntimeInstant]>([]), watches = Locked<[String]>([])
        try await Fake.withClient({ request, _ in
            if request.query["watch"] == "true" {
                let rv = request.query["resourceVersion"] ?? "-"
                let n = watches.withLock { $0.append(rv); return $0.count }
                if rv != "10" { return .lines([], thenStall: true) }
                if n % 2 == 1 {
                    return .status(504, reason: "Timeout", message: "Too large resource version: 10, current: 9")
                }
                return .lines([Fake.event("ERROR", ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "InternalError",
                                                    "code": 500, "message": "etcd leader changed"])])
            }
            #expect(request.query["resourceVersion"] == nil, "lists are consistent reads")
            let n = lists.withLock { $0.append(clock.now); return $0.count }
            return n == 1 ? Fake.list([Fake.cm("a", rv: "5")], rv: "10") : Fake.list([Fake.cm("a", rv: "12")], rv: "20")
        }) { client in
            var tuning = ReflectorConfiguration()
            tuning.backoff.jitter = 0
            let factory = SharedInformerFactory(client: client, clock: clock, reflector: tuning)
            let informer = factory.informer(for: Fake.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            // Walk the backoff schedule on the manual clock until the relist.
            for _ in 0..<40 where lists.value.count < 2 {
                await eventuallyReal("a backoff or the relist") { clock.sleeperCount == 1 || lists.value.count == 2 }
                if let deadline = clock.sleeperDeadlines.first, lists.value.count < 2 { clock.advance(to: deadline) }
            }
            await eventuallyReal("the watch from the relist's version") { watches.value.last == "20" }
            let relistAt = try #require(lists.value.last)
            #expect(lists.value.count == 2)
            #expect(relistAt >= .zero + .seconds(120), "retried for two minutes first (relist at \(relistAt))")
            #expect(relistAt < .zero + .seconds(200), "then relisted (at \(relistAt))")
            let beforeRelist = watches.value.dropLast()
            #expect(beforeRelist.count >= 6 && beforeRelist.allSatisfy { $0 == "10" }, "\(watches.value)")
            #expect(informer.store.get(ObjectKey(namespace: "ns", name: "a"))?["metadata"]?["resourceVersion"] == "12")
            #expect(informer.statistics.relists == 1)
            run.cancel()
            await run.value
        }
    }

    /// A server whose `continue` tokens always expire (etcd compacting faster than the list's
    /// pages arrive): the reflector pages twice, then reads the list in one response and syncs,
    /// rather than starting over forever.
    @Test func aListWhoseContinueTokensAlwaysExpireStillSyncs() async throws {
        let lists = Locked<[String]>([])
        try await Fake.withClient({ request, _ in
            if request.query["watch"] == "true" { return .lines([], thenStall: true) }
            let shape = request.query["continue"] != nil ? "continue" : request.query["limit"] != nil ? "limit" : "unpaged"
            lists.withLock { $0.append(shape) }
            switch shape {
            case "continue":
                return .status(410, reason: "Expired", message: "The provided continue parameter is too old to display a consistent list result.")
            case "limit":
                return .json(200, ["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": "10", "continue": "token"],
                                   "items": [Fake.cm("a", rv: "5")]])
            default:
                return Fake.list([Fake.cm("a", rv: "5"), Fake.cm("b", rv: "6")], rv: "10")
            }
        }) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: Fake.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await informer.waitForSync()
            #expect(lists.value == ["limit", "continue", "limit", "continue", "unpaged"])
            #expect(informer.store.keys().map(\.name).sorted() == ["a", "b"])
            run.cancel()
            await run.value
        }
    }

    /// C4 #6: a watch that carries only bookmarks advances the reflector's version; when the server
    /// ends it, the next watch starts from the last bookmark (no replay, no list). A watch without
    /// bookmarks resumes from the list's version.
    @Test func bookmarksAdvanceTheVersionAndTheReconnectResumesFromThem() async throws {
        let lists = Locked(0), watches = Locked<[String]>([])
        try await Fake.withClient({ request, _ in
            if request.query["watch"] == "true" {
                #expect(request.query["allowWatchBookmarks"] == "true")
                let n = watches.withLock { $0.append(request.query["resourceVersion"] ?? "-"); return $0.count }
                switch n {
                case 1: return .lines([Self.bookmark("15"), Self.bookmark("25")])  // then the server ends the watch
                case 2: return .lines([Fake.event("MODIFIED", Fake.cm("a", rv: "30"))])
                default: return .lines([], thenStall: true)
                }
            }
            lists.withLock { $0 += 1 }
            return Fake.list([Fake.cm("a", rv: "5")], rv: "10")
        }) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: Fake.configMaps, namespace: "ns")
            let log = ChangeLog()
            informer.addHandler(log.handler)
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await eventuallyReal("three watches") { watches.value.count == 3 }
            #expect(watches.value == ["10", "25", "30"], "from the list, then the last bookmark, then the last event")
            #expect(lists.value == 1 && informer.statistics.relists == 0)
            await eventuallyReal("the update from the third watch") {
                informer.store.get(ObjectKey(namespace: "ns", name: "a"))?["metadata"]?["resourceVersion"] == "30"
            }
            // Bookmarks wrote nothing: the handler sees the add and the update (folded into the add
            // if it was still waiting), nothing else.
            await eventuallyReal("the handler saw version 30") { log.all.last?.object["metadata"]?["resourceVersion"] == "30" }
            #expect([["added a", "updated a"], ["added a"]].contains(log.described()), "\(log.described())")
            run.cancel()
            await run.value
        }
    }

    /// C4 #8: 429 with `Retry-After: 1` on the LIST, on the WATCH and on a PATCH: the client waits at
    /// least that long and sends the same request again; the reflector never relists.
    @Test func tooManyRequestsOnListWatchAndPatchWaitsAndNeverRelists() async throws {
        let attempts = Locked<[String: [ContinuousClock.Instant]]>([:])
        let fake = try FakeAPIServer { request, _ in
            let kind = request.query["watch"] == "true" ? "watch" : request.method == "PATCH" ? "patch" : "list"
            let n = attempts.withLock { $0[kind, default: []].append(request.receivedAt); return $0[kind]!.count }
            if n == 1 { return .status(429, reason: "TooManyRequests", message: "\(kind) throttled", headers: ["Retry-After": "1"]) }
            switch kind {
            case "watch": return .lines([Fake.event("MODIFIED", Fake.cm("a", rv: "11"))], thenStall: true)
            case "patch": return .json(200, Fake.cm("a", rv: "12"))
            default: return Fake.list([Fake.cm("a", rv: "5")], rv: "10")
            }
        }
        defer { fake.stop() }
        var config = ClientConfiguration(server: fake.url, source: "test")
        config.rateLimit = .unlimited
        let options = KubeClient.Options(connectTimeout: .seconds(2), requestTimeout: .seconds(10))  // default retry policy
        try await KubeClient.withClient(config, options: options) { client in
            let factory = SharedInformerFactory(client: client)
            let informer = factory.informer(for: Fake.configMaps, namespace: "ns")
            let run = Task { await factory.run() }
            defer { run.cancel() }
            await eventuallyReal("the event after the throttled watch", timeout: .seconds(30)) {
                informer.store.get(ObjectKey(namespace: "ns", name: "a"))?["metadata"]?["resourceVersion"] == "11"
            }
            let patched = try await client.resource(Fake.configMaps, namespace: "ns").patch("a", .merge(["data": ["k": "v"]]))
            #expect(patched["metadata"]?["resourceVersion"] == "12")
            let seen = attempts.value
            for kind in ["list", "watch", "patch"] {
                let times = seen[kind] ?? []
                #expect(times.count == 2, "\(kind): one 429, one retry")
                if times.count == 2 { #expect(times[1] - times[0] >= .milliseconds(950), "\(kind) waited Retry-After") }
            }
            #expect(informer.statistics.relists == 0 && informer.statistics.listRequests == 1)
            run.cancel()
            await run.value
        }
    }
}
