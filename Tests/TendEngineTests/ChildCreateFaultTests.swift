import Foundation
import Logging
import Synchronization
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendOffline
import TendRules
import TendTesting
import TendValue
import TendYAML

/// The create of a child against a scripted server: one `POST` when the name is free; when it is
/// taken, one read and later reconciles only reading; the rule's own object behind the cache applied;
/// a create the server took but an apply refuses undone; and the first apply of a created child
/// moving the create's `Update` entry into the rule's Apply entry.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ChildCreateFaultTests {
    /// What the scripted server does with the child `p-copy`.
    struct Script: Sendable {
        enum Taken: Sendable { case free, theirs, ours }
        /// Whether the create finds the name taken, and by whom.
        var taken: Taken = .free
        /// The create stores the object without managedFields (as for a list with two items of one key).
        var createdUntyped = false
        /// The created object lacks `data` (as a dropped unknown field would be).
        var createdWithoutData = false
        /// Applies (dry runs included) fail as the 1.20 server refuses an object it cannot type.
        var applyRefuses = false
        /// The managedFields the apply answers with.
        var applied: [Value] = [["manager": "tend/copier", "operation": "Apply", "fieldsV1": ["f:data": ["f:k": [:]]]]]
    }

    final class Server: Sendable {
        let script: Mutex<Script>
        let seen = Mutex<[String]>([])
        init(_ script: Script) { self.script = Mutex(script) }

        var handler: FakeAPIServer.Handler {
            { request, _ in
                if let discovery = FakeAPIServer.Action.coreDiscovery(request, resources: [("configmaps", "ConfigMap", true), ("events", "Event", true)]) { return discovery }
                guard request.path.hasPrefix("/api/v1/namespaces/ns/configmaps") else { return .json(201, ["kind": "Status", "apiVersion": "v1", "status": "Success"]) }
                let body = (try? JSON.parse(String(decoding: request.body, as: UTF8.self))) ?? .null
                let script = self.script.withLock { $0 }
                var line = request.method
                switch request.method {
                case "PATCH" where request.header("content-type") == "application/json-patch+json":
                    line += " managedFields test=\(body[0]?["value"]?.stringValue ?? "-") managers=\((body[1]?["value"]?.arrayValue ?? []).map { "\($0["manager"]?.stringValue ?? ""):\($0["operation"]?.stringValue ?? "")" }.joined(separator: ","))"
                case "PATCH":
                    line += " apply force=\(request.query["force"] ?? "false")" + (request.query["dryRun"] != nil ? " dryRun" : "")
                case "DELETE":
                    line += " uid=\(body["preconditions"]?["uid"]?.stringValue ?? "-")"
                default:
                    break
                }
                self.seen.withLock { $0.append(line) }
                let stored: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns", "uid": "new", "resourceVersion": "5"], "data": ["k": "v"]]
                switch request.method {
                case "POST":
                    switch script.taken {
                    case .theirs, .ours: return .status(409, reason: "AlreadyExists", message: "configmaps \"p-copy\" already exists")
                    case .free:
                        var created = body
                        created["metadata"]?["uid"] = "new"
                        created["metadata"]?["resourceVersion"] = "5"
                        if !script.createdUntyped { created["metadata"]?["managedFields"] = [["manager": "tend/copier", "operation": "Update", "fieldsV1": ["f:data": ["f:k": [:]]]]] }
                        if script.createdWithoutData { created["data"] = nil }
                        return .json(201, created)
                    }
                case "GET":
                    var existing = stored
                    existing["metadata"]?["uid"] = "theirs"
                    if script.taken == .ours { existing["metadata"]?["labels"] = ["tend.dev/rule": "copier", "tend.dev/owner-uid": "u-1"] }
                    return .json(200, existing)
                case "PATCH" where script.applyRefuses:
                    return .status(500, reason: "InternalError", message: "failed to create typed patch object: .data: duplicate entries")
                case "PATCH":
                    var object = stored
                    object["metadata"]?["managedFields"] = .array(script.applied)
                    if request.header("content-type") == "application/json-patch+json" {
                        object["metadata"]?["managedFields"] = body[1]?["value"]
                        self.script.withLock { $0.applied = body[1]?["value"]?.arrayValue ?? [] }
                    }
                    return .json(200, object)
                default:
                    return .json(200, stored)
                }
            }
        }

        /// The requests for the child, in order.
        var child: [String] { seen.withLock { $0 } }
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

    static func compiledRule() throws -> Rule {
        try #require(RuleCompiler.compile(try YAML.parse(Self.rule, file: "rule.yaml")).0)
    }

    /// Runs `body` with an executor talking to `server`.
    func withExecutor(_ server: Server, _ body: (PlanExecutor, Rule) async throws -> Void) async throws {
        let fake = try FakeAPIServer(handler: server.handler)
        defer { fake.stop() }
        var config = ClientConfiguration(server: fake.url, source: "test")
        config.rateLimit = .unlimited
        let rule = try Self.compiledRule()
        try await KubeClient.withClient(config, options: KubeClient.Options(retryPolicy: .none)) { client in
            var logger = Logger(label: "create")
            logger.logLevel = .critical
            try await body(PlanExecutor(client: client, logger: logger), rule)
        }
    }

    /// Runs `reconciles` reconciles of the parent (the cache never holds the child) with one
    /// executor, returning each one's failures.
    func reconcile(_ server: Server, times reconciles: Int) async throws -> [[String]] {
        var failures: [[String]] = []
        try await withExecutor(server) { executor, rule in
            let plan = Planner(rule: rule).plan(parent: Self.parent, world: InMemoryWorld(objects: [Self.parent]), now: Date())
            for _ in 0..<reconciles {
                failures.append(await executor.execute(plan, rule: rule).failures.map(\.reason))
            }
        }
        return failures
    }

    @Test func aFreeNameIsOneCreate() async throws {
        let server = Server(Script())
        #expect(try await reconcile(server, times: 1) == [[]])
        #expect(server.child == ["POST"])
    }

    @Test func aTakenNameIsReadOnceThenOnlyRead() async throws {
        let server = Server(Script(taken: .theirs))
        #expect(try await reconcile(server, times: 3) == [["NotOwned"], ["NotOwned"], ["NotOwned"]])
        #expect(server.child == ["POST", "GET", "GET", "GET"], "nothing is written to their object")
    }

    @Test func theRulesOwnObjectBehindTheCacheIsApplied() async throws {
        let server = Server(Script(taken: .ours))
        #expect(try await reconcile(server, times: 1) == [[]])
        #expect(server.child == ["POST", "GET", "PATCH apply force=true"])
    }

    @Test func aCreateAnApplyWouldRefuseIsUndone() async throws {
        let server = Server(Script(createdUntyped: true, applyRefuses: true))
        #expect(try await reconcile(server, times: 2) == [["ApplyFailed"], ["ApplyFailed"]])
        // Created, checked, deleted (only that object); then checked first, and not created again.
        #expect(server.child == ["POST", "PATCH apply force=true dryRun", "DELETE uid=new", "PATCH apply force=true dryRun"])
    }

    @Test func aCreateMissingAFieldTheApplyAcceptsIsKept() async throws {
        let server = Server(Script(createdWithoutData: true))
        #expect(try await reconcile(server, times: 1) == [[]])
        #expect(server.child == ["POST", "PATCH apply force=true dryRun"])
    }

    @Test func theCreatesUpdateEntryIsMovedOnceAtTheFirstApply() async throws {
        // The create's entry owns data.old, which the template no longer sets: the apply is made
        // again once the rule's Apply entry owns it, so the server releases it.
        let server = Server(Script(applied: [
            ["manager": "tend/copier", "operation": "Apply", "fieldsV1": ["f:data": ["f:k": [:]]]],
            ["manager": "tend/copier", "operation": "Update", "fieldsV1": ["f:data": ["f:k": [:], "f:old": [:]]]],
            ["manager": "kubectl-edit", "operation": "Update", "fieldsV1": ["f:data": ["f:x": [:]]]],
        ]))
        try await withExecutor(server) { executor, rule in
            let desired: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns"], "data": ["k": "v"]]
            let resource = try await executor.client.resource(.init(apiVersion: "v1", kind: "ConfigMap")!, namespace: "ns")
            _ = try await executor.applyOwned(desired, resource: resource, rule: rule)
            _ = try await executor.applyOwned(desired, resource: resource, rule: rule)
        }
        #expect(server.child == [
            "PATCH apply force=true", "PATCH managedFields test=5 managers=tend/copier:Apply,kubectl-edit:Update", "PATCH apply force=true",
            "PATCH apply force=true",
        ])
    }

    @Test func anUpdateEntryTheApplyCoversIsMovedWithoutASecondApply() async throws {
        let server = Server(Script(applied: [
            ["manager": "tend/copier", "operation": "Apply", "fieldsV1": ["f:data": ["f:k": [:]]]],
            ["manager": "tend/copier", "operation": "Update", "fieldsV1": ["f:data": ["f:k": [:]]]],
        ]))
        try await withExecutor(server) { executor, rule in
            let desired: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p-copy", "namespace": "ns"], "data": ["k": "v"]]
            let resource = try await executor.client.resource(.init(apiVersion: "v1", kind: "ConfigMap")!, namespace: "ns")
            _ = try await executor.applyOwned(desired, resource: resource, rule: rule)
        }
        #expect(server.child == ["PATCH apply force=true", "PATCH managedFields test=5 managers=tend/copier:Apply"])
    }

    @Test func whatACreateKeeps() {
        let desired: Value = ["metadata": ["name": "a", "labels": [:], "annotations": .null], "data": ["k": "1"], "status": ["x": 1], "spec": ["ports": [["port": 80], ["port": 81]]]]
        let entry: Value = [["manager": "tend/r", "operation": "Update"]]
        var created: Value = ["metadata": ["name": "a", "managedFields": entry], "data": ["k": "1"], "spec": ["ports": [["port": 80, "protocol": "TCP"], ["port": 81]]]]
        #expect(PlanExecutor.keepsEverything(created, desired: desired, manager: "tend/r"), "status, null and empty values are not looked for; defaults may be added")
        #expect(!PlanExecutor.keepsEverything(created, desired: desired, manager: "tend/other"), "no entry of the rule: the server could not type the object")
        created["spec"]?["ports"] = [["port": 80]]
        #expect(!PlanExecutor.keepsEverything(created, desired: desired, manager: "tend/r"), "an item lost")
        created["spec"]?["ports"] = [["port": 80], ["port": 81]]
        created["data"] = ["k": 1]
        #expect(PlanExecutor.keepsEverything(created, desired: desired, manager: "tend/r"), "values may be normalized")
        created["data"] = [:]
        #expect(!PlanExecutor.keepsEverything(created, desired: desired, manager: "tend/r"), "a field dropped")

        // A Secret's stringData is stored as data.
        let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["k": "v"]]
        let stored: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "managedFields": entry], "data": ["k": "dg=="]]
        #expect(PlanExecutor.keepsEverything(stored, desired: secret, manager: "tend/r"))
        var configMap = secret
        configMap["kind"] = "ConfigMap"
        #expect(!PlanExecutor.keepsEverything(stored, desired: configMap, manager: "tend/r"), "only a Secret's")
    }
}
