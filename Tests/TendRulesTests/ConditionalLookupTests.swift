import Foundation
import Testing
import TendKube
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// Lookups with `includeWhen` (kro's `externalRef` with `includeWhen`): left out, a lookup is null
/// and the children reading it are left out (and pruned); and `each` in a `forEach` child's
/// `readyWhen`: one instance, judged on its own (kro's `each`).
@Suite struct ConditionalLookupTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: app}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {app: "yes"}}}
          lookups:
            - id: db
              apiVersion: v1
              kind: Secret
              name: "${self.data.database}"
              includeWhen: ["${has(self.data.database)}"]
          children:
            - id: connection
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "${self.metadata.name}-connection"}
                data: {host: "${string(base64.decode(db.data.host))}"}
            - id: always
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-always"}}
            - id: shards
              forEach: {i: "${lists.range(int(self.data.shards))}"}
              readyWhen: ["${each.data.state == 'up'}"]
              dependentsWait: ready
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "${self.metadata.name}-shard-${string(i)}"}
            - id: summary
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: "${self.metadata.name}-summary"}
                data: {shards: "${string(size(shards))}"}
        """

    static func parent(database: String?) -> Value {
        var data: Value = ["shards": "2"]
        if let database { data["database"] = .string(database) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web", "namespace": "apps", "uid": "p1", "labels": ["app": "yes"]], "data": data]
    }

    static let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "pg", "namespace": "apps"], "data": ["host": "cGcuYXBwcw=="]]

    static func compiled() throws -> Rule {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(Self.rule, file: "app.yaml"))
        return try #require(rule, "\(diagnostics)")
    }

    @Test func aLookupLeftOutLeavesOutItsReaders() throws {
        let rule = try Self.compiled()
        let parent = Self.parent(database: nil)
        let plan = Planner(rule: rule, trace: true).plan(parent: parent, world: InMemoryWorld(objects: [parent, Self.secret]), now: Date())
        #expect(plan.problems.filter { $0.reason != "Waiting" }.isEmpty, "\(plan.problems)")
        #expect(plan.children.map(\.id).sorted() == ["always", "shards", "shards"])  // summary waits for the shards
        #expect(plan.trace?.excludedLookups == ["db"])
        let explained = ExplainRenderer(color: false).renderPlan(plan)
        #expect(explained.contains("lookups left out by includeWhen: db"), "\(explained)")
        #expect(explained.contains("connection: left out: it reads lookup db, which is left out"), "\(explained)")
    }

    @Test func anIncludedLookupIsRead() throws {
        let rule = try Self.compiled()
        let parent = Self.parent(database: "pg")
        let plan = Planner(rule: rule).plan(parent: parent, world: InMemoryWorld(objects: [parent, Self.secret]), now: Date())
        let connection = try #require(plan.children.first { $0.id == "connection" })
        #expect(connection.desired["data"]?["host"] == "pg.apps")
    }

    /// Offline, the connection is created when the parent names a database and pruned when it
    /// stops naming one.
    @Test func leavingOutALookupPrunesItsReaders() throws {
        let rule = try Self.compiled()
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [Self.parent(database: "pg"), Self.secret]), now: Date())
        run.converge()
        let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
        #expect(run.cluster.get(configMap, namespace: "apps", name: "web-connection") != nil)
        var parent = try #require(run.cluster.get(configMap, namespace: "apps", name: "web"))
        parent["data"]?["database"] = nil
        run.cluster.put(parent)
        run.converge()
        #expect(run.cluster.get(configMap, namespace: "apps", name: "web-connection") == nil)
        #expect(run.cluster.get(configMap, namespace: "apps", name: "web-always") != nil)
    }

    /// `each` is the instance: one shard up and one not makes the collection not ready, so the
    /// summary (its dependents wait for readiness) waits.
    @Test func eachJudgesOneInstance() throws {
        let rule = try Self.compiled()
        let parent = Self.parent(database: nil)
        func shard(_ n: Int, _ state: String) -> Value {
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("web-shard-\(n)"), "namespace": "apps", "labels": [.init(Rule.ruleLabel): "app", .init(Rule.ownerUIDLabel): "p1"]], "data": ["state": .string(state)]]
        }
        let half = Planner(rule: rule).plan(parent: parent, world: InMemoryWorld(objects: [parent, shard(0, "up"), shard(1, "starting")]), now: Date())
        #expect(half.children.filter { $0.id == "shards" }.map(\.ready) == [true, false])
        #expect(half.waitingForReady.contains("summary"))
        let all = Planner(rule: rule).plan(parent: parent, world: InMemoryWorld(objects: [parent, shard(0, "up"), shard(1, "up")]), now: Date())
        #expect(all.children.first { $0.id == "summary" }?.action == .create)
    }

    @Test func aLookupConditionReadsOnlySelf() throws {
        let text = Self.rule.replacingOccurrences(of: "includeWhen: [\"${has(self.data.database)}\"]", with: "includeWhen: [\"${always.metadata.name != ''}\"]")
        let (_, diagnostics) = RuleCompiler.compile(try YAML.parse(text, file: "app.yaml"))
        #expect(diagnostics.contains { $0.message.contains("undeclared reference to 'always'") }, "\(diagnostics)")
    }

    /// With the cluster's schemas, `each` and a `forEach` child's own id in `readyWhen` are one
    /// object of the child's kind, checked as such.
    @Test func eachIsTypedAsOneInstance() throws {
        func diagnostics(_ readyWhen: String) throws -> [String] {
            try ClusterSchemaCheckTests.diagnostics(ClusterSchemaCheckTests.rule("""
                    - id: webs
                      forEach: {host: "${['a', 'b']}"}
                      readyWhen: ["\(readyWhen)"]
                      template:
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: "${host}"}
                        spec:
                          selector: {matchLabels: {app: web}}
                          template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}
                """))
        }
        #expect(try diagnostics("${each.status.availableReplicas >= 1 && webs.spec.replicas == each.spec.replicas}") == [])
        let misspelled = try diagnostics("${each.status.availableReplica >= 1}")
        #expect(misspelled.contains { $0.contains("each.status has no field \"availableReplica\"; did you mean \"availableReplicas\"?") }, "\(misspelled)")
    }
}
