import Foundation
import Logging
import Synchronization
import Testing
@testable import TendEngine
import TendKube
import TendOffline
import TendRules
import TendTesting
import TendValue
import TendYAML

/// The order in which a plan's writes reach the API server: children of one dependency level
/// together, a child after the children it reads, a finalizer before the children that need it, and
/// the rule's inventory record before anything.
/// A scripted server answers applies after 300 ms (or holds the ones a test sends together until all
/// have arrived) and records when each request came and went.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PlanExecutorOrderTests {
    struct Seen: Sendable {
        var request: String
        var arrived: ContinuousClock.Instant
        var answered: ContinuousClock.Instant
    }

    final class Log: Sendable {
        let seen = Mutex<[Seen]>([])
        /// Paths of applies held until all of them have arrived (at most ``gateTimeout``): requests sent
        /// together all arrive before any is answered; requests sent one after the other never do.
        let gate: Set<String>
        let arrivedAtGate = Mutex<Set<String>>([])
        static let gateTimeout: Duration = .seconds(10)

        /// Paths answered 403 Forbidden.
        let forbidden: Set<String>

        init(gate: Set<String> = [], forbidden: Set<String> = []) {
            self.gate = gate
            self.forbidden = forbidden
        }
        func first(_ prefix: String) -> Seen? { seen.withLock { $0.first { $0.request.hasPrefix(prefix) } } }

        /// Waits at the gate when `path` is one of its paths; other applies take 300 ms.
        func hold(_ path: String) {
            guard gate.contains(path) else {
                usleep(300_000)
                return
            }
            arrivedAtGate.withLock { _ = $0.insert(path) }
            let deadline = ContinuousClock.now + Self.gateTimeout
            while arrivedAtGate.withLock({ $0 != gate }) && ContinuousClock.now < deadline { usleep(5_000) }
        }
    }

    static func serve(_ log: Log) -> FakeAPIServer.Handler {
        return { request, _ in
            let arrived = ContinuousClock.now
            let resources = [("configmaps", "ConfigMap", true), ("events", "Event", true)]
            if let discovery = FakeAPIServer.Action.coreDiscovery(request, resources: resources) { return discovery }
            let action: FakeAPIServer.Action
            switch (request.method, request.path) {
            case (_, let path) where log.forbidden.contains(path):
                action = .status(403, reason: "Forbidden", message: "configmaps \"tend-inventory\" is forbidden")
            case ("GET", _):
                action = .status(404, reason: "NotFound", message: "not found")
            case ("PATCH", _):
                log.hold(request.path)
                action = .json(200, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x"]])
            default:
                action = .json(201, ["kind": "Status", "apiVersion": "v1", "status": "Success"])
            }
            log.seen.withLock { $0.append(Seen(request: "\(request.method) \(request.path)", arrived: arrived, answered: .now)) }
            return action
        }
    }

    static let record = "/api/v1/namespaces/tend/configmaps/tend-inventory"

    func execute(_ ruleText: String, objects: [Value], gate: Set<String> = [], forbidden: Set<String> = [], failures: Int = 0) async throws -> Log {
        let log = Log(gate: gate, forbidden: forbidden)
        let server = try FakeAPIServer(handler: Self.serve(log))
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = .unlimited
        let rule = try #require(RuleCompiler.compile(try YAML.parse(ruleText, file: "rule.yaml")).0)
        let world = InMemoryWorld(objects: objects)
        let parent = try #require(world.object(rule.watch.kind, namespace: "ns", name: "p"))
        let plan = Planner(rule: rule).plan(parent: parent, world: world, now: Date())
        try await KubeClient.withClient(config, options: KubeClient.Options(retryPolicy: .none)) { client in
            var logger = Logger(label: "order")
            logger.logLevel = .critical
            var executor = PlanExecutor(client: client, logger: logger)
            executor.inventory = InventoryRecorder(client: client, namespace: "tend", logger: logger)
            let outcome = await executor.execute(plan, rule: rule)
            #expect(outcome.failures.count == failures, "\(outcome.failures)")
            if failures > 0 { #expect(outcome.failures.allSatisfy { $0.reason == "InventoryFailed" }, "\(outcome.failures)") }
        }
        return log
    }

    /// The rule `order`, watching ConfigMaps labelled `role=parent`, with the rest of its `spec`
    /// (indented as under `spec:`).
    static func rule(_ spec: String) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: order}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {role: parent}}}

        """ + spec
    }

    static let parent: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "namespace": "ns", "uid": "u-1", "labels": ["role": "parent"]]]

    @Test func childrenOfOneLevelGoTogetherAndAReaderWaitsForWhatItReads() async throws {
        let log = try await execute(Self.rule("""
              patch: {metadata: {labels: {seen: "yes"}}}
              children:
                - id: a
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-a"}}
                - id: b
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-b"}}
                - id: c
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${a.metadata.name}-c"}}
            """),
            // `a` exists (managed, outdated): `c` can be rendered in the same plan and is applied after it.
            objects: [Self.parent, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-a", "namespace": "ns", "labels": [Rule.ruleLabel: "order", Rule.ownerUIDLabel: "u-1"]]]],
            gate: ["/api/v1/namespaces/ns/configmaps/p-a", "/api/v1/namespaces/ns/configmaps/p-b", "/api/v1/namespaces/ns/configmaps/p"])
        let a = try #require(log.first("PATCH /api/v1/namespaces/ns/configmaps/p-a"))
        let b = try #require(log.first("PATCH /api/v1/namespaces/ns/configmaps/p-b"))
        let c = try #require(log.first("PATCH /api/v1/namespaces/ns/configmaps/p-a-c"))
        #expect(b.arrived < a.answered && a.arrived < b.answered, "a and b were applied one after the other")
        #expect(c.arrived >= a.answered, "c reads a: it must be applied after a")
        let fields = try #require(log.first("PATCH /api/v1/namespaces/ns/configmaps/p"), "the parent's own fields")
        #expect(fields.arrived < a.answered, "the parent's fields go alongside the first level")
        // The kind went into the record before any child was written (`a` exists, but `b` is new):
        // created, since reading it found none.
        #expect(log.first("GET \(Self.record)") != nil)
        let record = try #require(log.first("POST /api/v1/namespaces/tend/configmaps"), "the inventory record")
        #expect(record.answered <= min(a.arrived, b.arrived, fields.arrived), "the record is written first")
    }

    @Test func aKindThatCannotBeRecordedIsNotWritten() async throws {
        let log = try await execute(Self.rule("""
              patch: {metadata: {labels: {seen: "yes"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}}
            """), objects: [Self.parent], forbidden: [Self.record], failures: 1)
        // Forbidden: no child exists that a later reconcile could not find again to prune, and the
        // parent is left as it was (it is retried with backoff, like any failure).
        #expect(log.first("PATCH /api/v1/namespaces/ns/configmaps/p-copy") == nil)
        #expect(log.first("PATCH /api/v1/namespaces/ns/configmaps/p") == nil)
        #expect(log.first("GET \(Self.record)") != nil, "read once before writing")
    }

    @Test func aFinalizerIsInPlaceBeforeAChildThatNeedsIt() async throws {
        let log = try await execute(Self.rule("""
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: elsewhere}}
            """), objects: [Self.parent])
        let finalizer = try #require(log.first("PATCH /api/v1/namespaces/ns/configmaps/p"))
        let copy = try #require(log.first("PATCH /api/v1/namespaces/elsewhere/configmaps/p"))
        #expect(copy.arrived >= finalizer.answered, "the child in another namespace was touched before the finalizer was on its owner")
    }
}
