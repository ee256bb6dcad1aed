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

/// The create of a child against a scripted server: one apply without force when the name is free;
/// when it is taken, the apply's additions released (with the object's uid as precondition) and
/// later reconciles reading instead of writing, and a release that fails tried again first.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ChildCreateFaultTests {
    /// What the scripted server does with the child `p-copy`.
    struct Script: Sendable {
        /// Managers in the apply's answer besides the rule's (the name is taken when non-empty).
        var others: [String] = []
        /// How many releases (applies without data) fail with 500 before one succeeds.
        var failingReleases = 0
    }

    final class Server: Sendable {
        let script: Mutex<Script>
        let seen = Mutex<[String]>([])
        init(_ script: Script) { self.script = Mutex(script) }

        var handler: FakeAPIServer.Handler {
            { request, _ in
                if let discovery = FakeAPIServer.Action.coreDiscovery(request, resources: [("configmaps", "ConfigMap", true), ("events", "Event", true)]) { return discovery }
                let body = (try? JSON.parse(String(decoding: request.body, as: UTF8.self))) ?? .null
                let isRelease = request.method == "PATCH" && request.path.hasSuffix("/p-copy") && body["data"] == nil
                let line = "\(request.method) \(request.path)" + (request.method == "PATCH" ? (isRelease ? " release uid=\(body["metadata"]?["uid"]?.stringValue ?? "-")" : " apply force=\(request.query["force"] ?? "false")") : "")
                self.seen.withLock { $0.append(line) }
                let script = self.script.withLock { $0 }
                switch request.method {
                case "GET":
                    return .json(200, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns", "uid": "theirs"], "data": ["mine": "1"]])
                case "PATCH" where isRelease:
                    if script.failingReleases > 0 {
                        self.script.withLock { $0.failingReleases -= 1 }
                        return .status(500, reason: "InternalError", message: "etcd is down")
                    }
                    return .json(200, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns", "uid": "theirs"]])
                case "PATCH":
                    let managers: [Value] = (["tend/copier"] + script.others).map { name -> Value in ["manager": .string(name), "operation": "Apply"] }
                    return .json(200, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns", "uid": .string(script.others.isEmpty ? "new" : "theirs"), "managedFields": .array(managers)]])
                default:
                    return .json(201, ["kind": "Status", "apiVersion": "v1", "status": "Success"])
                }
            }
        }

        /// The requests for the child, in order.
        var child: [String] { seen.withLock { $0.filter { $0.contains("/configmaps/p-copy") }.map { $0.replacingOccurrences(of: " /api/v1/namespaces/ns/configmaps/p-copy", with: "") } } }
    }

    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: copier}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {role: parent}}}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {k: v}}
        """
    static let parent: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "namespace": "ns", "uid": "u-1", "labels": ["role": "parent"]]]

    /// Runs `reconciles` reconciles of the parent (the cache never holds the child) with one
    /// executor, returning each one's refusals.
    func reconcile(_ server: Server, times reconciles: Int) async throws -> [[String]] {
        let fake = try FakeAPIServer(handler: server.handler)
        defer { fake.stop() }
        var config = ClientConfiguration(server: fake.url, source: "test")
        config.rateLimit = .unlimited
        let rule = try #require(RuleCompiler.compile(try YAML.parse(Self.rule, file: "rule.yaml")).0)
        let world = InMemoryWorld(objects: [Self.parent])
        let plan = Planner(rule: rule).plan(parent: Self.parent, world: world, now: Date())
        var refusals: [[String]] = []
        try await KubeClient.withClient(config, options: KubeClient.Options(retryPolicy: .none)) { client in
            var logger = Logger(label: "create")
            logger.logLevel = .critical
            let executor = PlanExecutor(client: client, logger: logger)
            for _ in 0..<reconciles {
                let outcome = await executor.execute(plan, rule: rule)
                refusals.append(outcome.failures.map(\.reason))
            }
        }
        return refusals
    }

    @Test func aFreeNameIsOneApplyWithoutForce() async throws {
        let server = Server(Script())
        let refusals = try await reconcile(server, times: 1)
        #expect(refusals == [[]])
        #expect(server.child == ["PATCH apply force=false"])
    }

    @Test func aTakenNameIsReleasedOnceThenOnlyRead() async throws {
        let server = Server(Script(others: ["someone"]))
        let refusals = try await reconcile(server, times: 3)
        #expect(refusals == [["NotOwned"], ["NotOwned"], ["NotOwned"]])
        #expect(server.child == ["PATCH apply force=false", "PATCH release uid=theirs", "GET", "GET"])
    }

    @Test func aFailedReleaseIsTriedAgainBeforeAnythingElse() async throws {
        let server = Server(Script(others: ["someone"], failingReleases: 2))
        let refusals = try await reconcile(server, times: 4)
        #expect(refusals == [["NotOwned"], ["NotOwned"], ["NotOwned"], ["NotOwned"]])
        // Until the release is made, the object (which now carries the rule's labels) is not read.
        #expect(server.child == ["PATCH apply force=false", "PATCH release uid=theirs", "PATCH release uid=theirs", "PATCH release uid=theirs", "GET"])
    }

    @Test func managersOtherThanTheRulesOwn() throws {
        let rule = try #require(RuleCompiler.compile(try YAML.parse(Self.rule, file: "rule.yaml")).0)
        func object(_ entries: [(String, String)]) -> Value {
            ["metadata": ["managedFields": .array(entries.map { ["manager": .string($0.0), "operation": .string($0.1)] })]]
        }
        #expect(PlanExecutor.otherManagers(of: object([("tend/copier", "Apply"), ("tend/copier/status", "Apply")]), rule: rule) == [])
        // Tend's former single manager applied for the rules; its plain writes are any client with Tend's user agent.
        #expect(PlanExecutor.otherManagers(of: object([("tend/copier", "Apply"), ("tend", "Apply")]), rule: rule) == [])
        #expect(PlanExecutor.otherManagers(of: object([("tend/copier", "Apply"), ("tend", "Update")]), rule: rule) == ["tend"])
        #expect(PlanExecutor.otherManagers(of: object([("tend/copier", "Apply"), ("kubectl-create", "Update"), ("tend/other", "Apply")]), rule: rule) == ["kubectl-create", "tend/other"])
    }
}
