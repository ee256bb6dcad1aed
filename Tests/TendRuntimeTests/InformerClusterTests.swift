import Foundation
import Testing
import TendKube
import TendMeta
import TendRuntime
import TendTesting
import TendValue

/// Informers against the real local control plane (kube-apiserver 1.20.2). Each test works in its
/// own namespace. The restart and 410 tests use a private second apiserver on the same etcd, so
/// they never take down the API server other suites use.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun, "no local cluster configured (TEND_CLUSTER_DIR)"),
       .timeLimit(.minutes(4)))
struct InformerClusterTests {
    let cluster: LocalCluster

    init() throws {
        cluster = try LocalCluster.require()
    }

    typealias C = RuntimeCluster

    @Test func syncsOneThousandConfigMapsAndDispatchesEachOnce() async throws {
        try await C.withNamespace(cluster, "sync") { client, ns in
            let names = (0..<1000).map { String(format: "cm-%04d", $0) }
            let createStart = ContinuousClock.now
            try await C.createConfigMaps(client, namespace: ns, names: names, concurrency: 32)
            let createTime = ContinuousClock.now - createStart

            var paged = ReflectorConfiguration()
            paged.pageSize = 500
            let factory = SharedInformerFactory(client: client, reflector: paged)
            let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
            let log = ChangeLog()
            informer.addHandler(log.handler)
            #expect(!informer.hasSynced)
            try await C.running(factory) {
                let start = ContinuousClock.now
                await informer.waitForSync()
                let synced = ContinuousClock.now - start
                try await C.until("1000 dispatched adds") { log.count >= 1000 }
                let dispatched = ContinuousClock.now - start
                print("[measure] created 1000 ConfigMaps (32 in flight) in \(createTime); informer synced in \(synced), all 1000 handed to the handler in \(dispatched)")
                #expect(informer.hasSynced)
                #expect(informer.store.count == 1000)
                #expect(sortedNames(informer.store.list()) == names)
                let stats = informer.statistics
                #expect(stats.listRequests == 2, "1000 objects in pages of 500")
                #expect(stats.relists == 0)
                // Every object once, as added; managedFields dropped by the default transform.
                let changes = log.all
                #expect(changes.count == 1000)
                #expect(Set(changes.map(\.key.name)) == Set(names))
                #expect(changes.allSatisfy { if case .added = $0 { true } else { false } })
                #expect(informer.store.list().allSatisfy { $0["metadata"]?["managedFields"] == nil })
            }
        }
    }

    @Test func updatesAndDeletesArriveInOrder() async throws {
        try await C.withNamespace(cluster, "order") { client, ns in
            let cms = try await client.resource(C.configMapKind, namespace: ns)
            let factory = SharedInformerFactory(client: client)
            let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
            let log = ChangeLog()
            informer.addHandler(log.handler)
            try await C.running(factory) {
                await informer.waitForSync()
                #expect(informer.store.count == 0)
                _ = try await cms.create(C.configMap("x", namespace: ns, data: ["i": "0"]))
                for i in 1...5 { _ = try await cms.patch("x", .merge(["data": ["i": .string("\(i)")]])) }
                _ = try await cms.create(C.configMap("y", namespace: ns, data: ["i": "0"]))
                try await cms.delete("x")
                try await C.until("the delete of x") { log.described(name: "x").last == "deleted x" }
                // In order, none lost at the end; a change still waiting for the handler when the
                // next one for the same object arrives is folded into it (documented), so on a loaded
                // machine "updated x 3" may be missing, never out of order.
                let x = log.described(name: "x")
                #expect(x.first?.hasPrefix("added x ") == true && x.last == "deleted x", "\(x)")
                let steps = x.dropFirst().dropLast().compactMap { Int($0.split(separator: " ").last ?? "") }
                #expect(steps == steps.sorted() && Set(steps).count == steps.count, "\(x)")
                // Across objects too: y was created between x's last update and x's delete. (When
                // the last update was still waiting, the delete took its place in the queue.)
                let all = log.described()
                if let update = all.firstIndex(of: "updated x 5") {
                    #expect(all.firstIndex(of: "added y 0").map { $0 > update && $0 < all.firstIndex(of: "deleted x")! } == true, "\(all)")
                }
                #expect(sortedNames(informer.store.list()) == ["y"])
                // Updates carry the old and new state.
                for case .updated(let old, let new) in log.all {
                    let (o, n) = (Int(old.value["data"]?["i"]?.stringValue ?? ""), Int(new.value["data"]?["i"]?.stringValue ?? ""))
                    #expect(o != nil && n != nil && o! < n!, "\(old) -> \(new)")
                }
            }
        }
    }

    /// C4 #1 †: the server ends every watch after 2–3 s (`timeoutSeconds`) while an object is patched
    /// four times a second: each watch resumes from the last version seen, without a list; the
    /// handler sees every version in order, none twice (folding of waiting changes allowed), and
    /// the last one.
    @Test func watchesClosedEveryFewSecondsLoseAndRepeatNothing() async throws {
        try await C.withNamespace(cluster, "rewatch") { client, ns in
            let cms = try await client.resource(C.configMapKind, namespace: ns)
            var tuning = ReflectorConfiguration()
            tuning.watchTimeoutSeconds = 2...3
            let factory = SharedInformerFactory(client: client, reflector: tuning)
            let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
            let log = ChangeLog()
            informer.addHandler(log.handler)
            let patches = 40
            try await C.running(factory) {
                await informer.waitForSync()
                _ = try await cms.create(C.configMap("x", namespace: ns, data: ["i": "0"]))
                for i in 1...patches {
                    _ = try await cms.patch("x", .merge(["data": ["i": .string("\(i)")]]))
                    try await Task.sleep(for: .milliseconds(250))
                }
                try await C.until("the last patch") { log.described(name: "x").last == "updated x \(patches)" }
                let steps = log.described(name: "x").compactMap { Int($0.split(separator: " ").last ?? "") }
                #expect(steps.last == patches, "\(steps)")
                #expect(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 }, "in order, nothing twice: \(steps)")
                let stats = informer.statistics
                print("[measure] \(patches) patches over \(stats.watchRequests) watches; \(steps.count) changes handed out")
                #expect(stats.watchRequests >= 3, "the server ended the watches")
                #expect(stats.listRequests == 1 && stats.relists == 0, "resumed without a list")
            }
        }
    }

    @Test func namespaceAndLabelIndexesFollowLabelChangesAcrossNamespaces() async throws {
        try await C.withNamespace(cluster, "idx-a") { client, nsA in
            try await C.withNamespace(cluster, "idx-b") { _, nsB in
                let run = "r\(UInt32.random(in: 0..<UInt32.max))"
                let a = try await client.resource(C.configMapKind, namespace: nsA)
                let b = try await client.resource(C.configMapKind, namespace: nsB)
                _ = try await a.create(C.configMap("web-1", namespace: nsA, labels: ["run": .string(run), "tier": "web"]))
                _ = try await a.create(C.configMap("db-1", namespace: nsA, labels: ["run": .string(run), "tier": "db"]))
                _ = try await b.create(C.configMap("web-2", namespace: nsB, labels: ["run": .string(run), "tier": "web"]))
                _ = try await b.create(C.configMap("other", namespace: nsB, labels: ["run": "someone-else"]))

                // namespace nil: all namespaces, restricted to this run by the label selector.
                let factory = SharedInformerFactory(client: client)
                let informer = try await factory.informer(for: C.configMapKind, labelSelector: "run=\(run)")
                #expect(informer.namespace == nil)
                try await C.running(factory) {
                    await informer.waitForSync()
                    let web = try LabelSelector(parsing: "tier=web")
                    #expect(informer.store.count == 3)
                    #expect(sortedNames(informer.store.list(namespace: nsA)) == ["db-1", "web-1"])
                    #expect(sortedNames(informer.store.list(namespace: nsB)) == ["web-2"])
                    #expect(sortedNames(informer.store.list(matching: web)) == ["web-1", "web-2"])
                    #expect(sortedNames(informer.store.list(matching: web, namespace: nsA)) == ["web-1"])

                    // web-1 becomes db; web-2 leaves the selector (its run label changes).
                    _ = try await a.patch("web-1", .merge(["metadata": ["labels": ["tier": "db"]]]))
                    _ = try await b.patch("web-2", .merge(["metadata": ["labels": ["run": "moved"]]]))
                    try await C.until("the label changes") {
                        informer.store.list(matching: web).isEmpty && informer.store.count == 2
                    }
                    #expect(sortedNames(informer.store.list(matching: try LabelSelector(parsing: "tier=db"))) == ["db-1", "web-1"])
                    #expect(informer.store.list(matching: try LabelSelector(parsing: "tier in (web)"), namespace: nsB).isEmpty)
                    #expect(informer.store.list(namespace: nsB).isEmpty)
                    #expect(sortedNames(informer.store.list(matching: try LabelSelector(parsing: "tier!=web"))) == ["db-1", "web-1"])
                }
            }
        }
    }

    @Test func consumersOfTheSameInformerShareOneListAndWatch() async throws {
        try await C.withNamespace(cluster, "share") { client, ns in
            try await C.createConfigMaps(client, namespace: ns, names: ["a", "b", "c"])
            let factory = SharedInformerFactory(client: client)
            try await C.running(factory) {
                // Two consumers ask at the same time; the informer is created while run() is running.
                async let first = factory.informer(for: C.configMapKind, namespace: ns)
                async let second = factory.informer(for: C.configMapKind, namespace: ns, labelSelector: "", fieldSelector: nil)
                let (one, two) = try await (first, second)
                #expect(one === two)
                #expect(factory.informerCount == 1)
                let logOne = ChangeLog(), logTwo = ChangeLog()
                one.addHandler(logOne.handler)
                two.addHandler(logTwo.handler)
                await one.waitForSync()
                try await C.until("both handlers saw the list") { logOne.count == 3 && logTwo.count == 3 }
                _ = try await client.resource(C.configMapKind, namespace: ns).create(C.configMap("d", namespace: ns))
                try await C.until("both handlers saw d") { logOne.count == 4 && logTwo.count == 4 }
                let stats = one.statistics
                #expect(stats.listRequests == 1 && stats.watchRequests == 1, "one list and one watch for both: \(stats)")

                // A handler added after sync first gets the current objects as added.
                let late = ChangeLog()
                let token = two.addHandler(late.handler)
                try await C.until("the late handler's snapshot") { late.count == 4 }
                #expect(late.described().sorted() == ["added a", "added b", "added c", "added d"])
                two.removeHandler(token)
                try await client.resource(C.configMapKind, namespace: ns).delete("a")
                try await C.until("the delete reached the others") { logOne.count == 5 && logTwo.count == 5 }
                #expect(late.count == 4, "a removed handler is not called")

                // Other parameters: another informer. A kind the server does not serve: a typed error.
                let labelled = try await factory.informer(for: C.configMapKind, namespace: ns, labelSelector: "x=y")
                #expect(labelled !== one && factory.informerCount == 2)
                await labelled.waitForSync()
                #expect(labelled.store.count == 0)
                await #expect { _ = try await factory.informer(for: GroupVersionKind(apiVersion: "nope.example/v1", kind: "Nothing")!) }
                    throws: { ($0 as? KubeError)?.code == .unknownResource }
            }
        }
    }

    @Test func twoShardFilteredConsumersOfOneInformerCoverEveryObjectOnce() async throws {
        try await C.withNamespace(cluster, "shards") { client, ns in
            let names = (0..<200).map { "obj-\($0)" }
            try await C.createConfigMaps(client, namespace: ns, names: names)
            let factory = SharedInformerFactory(client: client)
            let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
            let shards = (0..<2).map { ShardFilter(shards: 2, index: $0) }
            let owned = shards.map { _ in Locked<[TendMeta.ObjectKey]>([]) }
            for (filter, keys) in zip(shards, owned) {
                informer.addHandler { change in
                    if filter.owns(change.key) { keys.withLock { $0.append(change.key) } }
                }
            }
            try await C.running(factory) {
                await informer.waitForSync()
                try await C.until("200 keys dispatched") { owned[0].value.count + owned[1].value.count == 200 }
            }
            let zero = owned[0].value, one = owned[1].value
            #expect(Set(zero).isDisjoint(with: Set(one)))
            #expect(Set(zero).count == zero.count && Set(one).count == one.count, "each key once")
            #expect(Set(zero + one) == Set(names.map { TendMeta.ObjectKey(namespace: ns, name: $0) }))
            #expect(abs(zero.count - one.count) < 60, "roughly even: \(zero.count)/\(one.count)")
        }
    }

    @Test func watchExpiredAfterCompactionRelistsAndReportsVanishedObjectsAsDeleted() async throws {
        let server = try await cluster.startPrivateAPIServer()
        defer { server.stop(kill: true) }
        try await C.withNamespace(cluster, "gone") { mainClient, ns in
            try await C.createConfigMaps(mainClient, namespace: ns, names: ["a", "b", "c", "d", "e"])
            try await KubeClient.withClient(C.configuration(server.configuration)) { client in
                var tuning = ReflectorConfiguration()
                tuning.backoff.initial = .milliseconds(200)
                tuning.backoff.cap = .seconds(2)
                let factory = SharedInformerFactory(client: client, reflector: tuning)
                let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
                let log = ChangeLog()
                informer.addHandler(log.handler)
                try await C.running(factory) {
                    await informer.waitForSync()
                    try await C.until("the initial list") { log.count == 5 }

                    // With our API server down, b and c vanish behind its back and etcd is compacted:
                    // the watch cannot resume from its resourceVersion.
                    server.stop()
                    try cluster.etcdctl(["del", "/registry/configmaps/\(ns)/b"])
                    try cluster.etcdctl(["del", "/registry/configmaps/\(ns)/c"])
                    let revision = try cluster.compactEtcd()
                    try await server.start()
                    try await C.until("the relist", timeout: .seconds(60)) { informer.store.count == 3 }
                    #expect(sortedNames(informer.store.list()) == ["a", "d", "e"])
                    try await C.until("the deletes dispatched") { log.count == 7 }
                    #expect(log.described().suffix(2) == ["deleted b", "deleted c"])
                    let stats = informer.statistics
                    #expect(stats.relists >= 1, "\(stats)")
                    print("[measure] relist after compaction at etcd revision \(revision): \(stats)")

                    // The informer keeps watching afterwards.
                    _ = try await mainClient.resource(C.configMapKind, namespace: ns).create(C.configMap("f", namespace: ns))
                    try await C.until("f") { informer.store.get(TendMeta.ObjectKey(namespace: ns, name: "f")) != nil }
                }
            }
        }
    }

    @Test func apiServerKilledMidWatchLosesNoEventAfterRecovery() async throws {
        let server = try await cluster.startPrivateAPIServer()
        defer { server.stop(kill: true) }
        try await C.withNamespace(cluster, "restart") { mainClient, ns in
            try await C.createConfigMaps(mainClient, namespace: ns, names: (0..<20).map { "before-\($0)" })
            try await KubeClient.withClient(C.configuration(server.configuration)) { client in
                var tuning = ReflectorConfiguration()
                tuning.backoff.initial = .milliseconds(200)
                tuning.backoff.cap = .seconds(2)
                let factory = SharedInformerFactory(client: client, reflector: tuning)
                let informer = try await factory.informer(for: C.configMapKind, namespace: ns)
                let log = ChangeLog()
                informer.addHandler(log.handler)
                try await C.running(factory) {
                    await informer.waitForSync()
                    #expect(informer.store.count == 20)
                    // The watch is established: an object created now arrives through it.
                    _ = try await mainClient.resource(C.configMapKind, namespace: ns).create(C.configMap("probe", namespace: ns))
                    try await C.until("the probe through the watch") { informer.store.count == 21 }
                    #expect(informer.statistics.watchRequests == 1 && informer.statistics.events == 1)

                    server.stop(kill: true)  // kill -9, mid-watch
                    let down = ContinuousClock.now
                    try await server.start()
                    print("[measure] private apiserver back after \(ContinuousClock.now - down)")
                    // Right after it is back: creates, updates and deletes through it.
                    let cms = try await client.resource(C.configMapKind, namespace: ns)
                    try await C.createConfigMaps(client, namespace: ns, names: (0..<50).map { "after-\($0)" })
                    for i in 0..<10 { _ = try await cms.patch("before-\(i)", .merge(["data": ["i": .string("\(i)")]])) }
                    for i in 10..<15 { try await cms.delete("before-\(i)") }

                    let fresh = try await cms.listAll()
                    try await C.until("the store equals a fresh list", timeout: .seconds(60)) {
                        Self.versions(informer.store.list()) == Self.versions(fresh.items)
                    }
                    #expect(informer.store.count == 66)
                    let stats = informer.statistics
                    #expect(stats.failures >= 1 && stats.watchRequests >= 2, "\(stats)")
                    print("[measure] after the restart: \(stats)")
                    // Every change reached the handler: all 50 creations, the 10 updates, the 5 deletes.
                    try await C.until("the handler saw every change") {
                        let d = Set(log.described())
                        return (0..<50).allSatisfy { d.contains("added after-\($0)") }
                            && (0..<10).allSatisfy { d.contains("updated before-\($0) \($0)") }
                            && (10..<15).allSatisfy { d.contains("deleted before-\($0)") }
                    }
                }
            }
        }
    }

    static func versions(_ objects: [Value]) -> [String: String] {
        var out: [String: String] = [:]
        for o in objects {
            if let name = o["metadata"]?["name"]?.stringValue { out[name] = o["metadata"]?["resourceVersion"]?.stringValue ?? "" }
        }
        return out
    }
}
