import Foundation
import Logging
import Synchronization
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendRules
import TendRuntime
import TendTesting
import TendValue
import TendYAML

/// The race guard of releasing, against a scripted API server: the cache says an object left the
/// rule's scope, the server decides. Found through a child whose owner the cache does not hold (the
/// restart case), the owner is released only when a live GET confirms it is not selected.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ReleaseGuardTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: guard}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {app: web}}}
          children:
            - id: reply
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-reply"}}
        """
    static let uid = "11111111-2222-4333-8444-555555555555"

    /// The watched object as the server has it.
    static func source(labels: Value, uid: String = uid, deleting: Bool = false) -> Value {
        var o: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "src", "namespace": "ns", "uid": .string(uid), "resourceVersion": "7", "labels": labels]]
        if deleting { o["metadata"]?["deletionTimestamp"] = "2030-01-01T00:00:00Z"; o["metadata"]?["finalizers"] = ["example.com/hold"] }
        return o
    }

    /// A child of `src` as Tend made it: labels and a controller ownerReference (same namespace).
    static let child: Value = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": [
            "name": "src-reply", "namespace": "ns", "uid": "c-1", "resourceVersion": "8",
            "labels": [Rule.ruleLabel: "guard", Rule.ownerUIDLabel: .string(uid)],
            "annotations": [Rule.childIDAnnotation: "reply"],
            "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "src", "uid": .string(uid), "controller": true]],
        ],
    ]

    static func list(_ items: [Value]) -> FakeAPIServer.Action {
        .json(200, ["kind": "ConfigMapList", "apiVersion": "v1", "metadata": ["resourceVersion": "10"], "items": .array(items)])
    }

    /// Serves discovery, an empty parent list (the object is absent from the cache), one managed
    /// child, `live` for a GET of the source; records every write.
    static func serve(live: Value?, writes: WriteLog) -> FakeAPIServer.Handler {
        return { request, _ in
            let resources = [("configmaps", "ConfigMap", true), ("namespaces", "Namespace", false), ("events", "Event", true)]
            if let discovery = FakeAPIServer.Action.coreDiscovery(request, resources: resources) { return discovery }
            switch (request.method, request.path) {
            case ("GET", "/api/v1/configmaps"):
                // Watches end at once (the reflector comes back after its backoff): a stalled one would hold
                // one of the client's connections to this host.
                if request.query["watch"] == "true" { return .lines([]) }
                let selector = request.query["labelSelector"] ?? ""
                return list(selector.contains("tend.dev/rule") ? [child] : [])
            case ("GET", "/api/v1/namespaces/ns/configmaps/src"):
                guard let live else { return .status(404, reason: "NotFound", message: "configmaps \"src\" not found") }
                return .json(200, live)
            default:
                writes.lines.withLock { $0.append("\(request.method) \(request.path)") }
                return .json(request.method == "POST" ? 201 : 200, ["kind": "Status", "apiVersion": "v1", "status": "Success"])
            }
        }
    }

    /// Runs the rule's informers against the fake server, then one reconcile of `ns/src`.
    func reconcileSource(live: Value?) async throws -> (ReconcileResult, [String]) {
        let writes = WriteLog()
        let server = try FakeAPIServer(handler: Self.serve(live: live, writes: writes))
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = .unlimited
        let options = KubeClient.Options(retryPolicy: .none, connectTimeout: .seconds(2), requestTimeout: .seconds(10))
        return try await KubeClient.withClient(config, options: options) { client in
            var logger = Logger(label: "release-guard")
            logger.logLevel = .critical
            let rule = try #require(RuleCompiler.compile(try YAML.parse(Self.rule, file: "rule.yaml")).0)
            let factory = SharedInformerFactory(client: client, logger: logger)
            let events = EventRecorder(client: client, logger: logger)
            let recording = Task { await events.run() }
            defer { recording.cancel() }
            let controller = RuleController(rule: rule, client: client, factory: factory, options: EngineOptions(), logger: logger, events: events,
                inventory: InventoryRecorder(client: client, namespace: "default", logger: logger))
            try await controller.setUpForPlanning()
            let informers = Task { await factory.run() }
            defer { informers.cancel() }
            await controller.waitForSync()
            let key = ObjectKey(namespace: "ns", name: "src")
            #expect(controller.parent(key) == nil, "absent from the cache")
            // Handlers run after the store is updated, asynchronously: wait for the child's.
            let deadline = ContinuousClock.now + .seconds(5)
            while controller.state.withLock({ $0.departures[key] }) == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(controller.state.withLock { $0.departures[key]?.uid } == Self.uid, "found through its child's ownerReference")
            let result = try await controller.reconcile(key)
            // Events are written in the background: wait for the queue to drain.
            let drained = ContinuousClock.now + .seconds(5)
            while events.pendingCount > 0 && ContinuousClock.now < drained { try await Task.sleep(for: .milliseconds(10)) }
            return (result, writes.lines.withLock { $0 })
        }
    }

    @Test func anObjectAbsentFromTheCacheButSelectedOnTheServerIsNotReleased() async throws {
        let (result, writes) = try await reconcileSource(live: Self.source(labels: ["app": "web"]))
        #expect(result == .done)
        #expect(writes.isEmpty, "nothing deleted, patched or recorded: \(writes)")
    }

    @Test func anObjectNoLongerSelectedOnTheServerIsReleased() async throws {
        let (result, writes) = try await reconcileSource(live: Self.source(labels: ["app": "api"]))
        #expect(writes.contains("DELETE /api/v1/namespaces/ns/configmaps/src-reply"))
        // The child's deletion is looked at again; the one Released Event comes once the release is
        // complete (ReleaseClusterTests sees it on a real server).
        #expect(result == .requeue(after: RuleController.cleanupRecheck))
        #expect(!writes.contains("POST /api/v1/namespaces/ns/events"), "no Event for a release still under way")
        #expect(!writes.contains { $0.hasPrefix("PATCH") }, "the object itself is not written: it has no finalizer")
    }

    @Test func aGoneOrReplacedObjectIsNotReleased() async throws {
        let (_, gone) = try await reconcileSource(live: nil)
        #expect(gone.isEmpty)
        let (_, replaced) = try await reconcileSource(live: Self.source(labels: ["app": "api"], uid: "99999999-2222-4333-8444-555555555555"))
        #expect(replaced.isEmpty, "another object of that name: not the owner of the child")
    }

    @Test func anObjectBeingDeletedGoesThroughTheDeletionPathNotARelease() async throws {
        let (_, writes) = try await reconcileSource(live: Self.source(labels: ["app": "api"], deleting: true))
        // Without Tend's finalizer the deletion path leaves the owned child to the garbage collector.
        #expect(writes.isEmpty, "\(writes)")
    }
}

/// The non-GET requests a fake server received, as `METHOD path`.
final class WriteLog: Sendable {
    let lines = Mutex<[String]>([])
}
