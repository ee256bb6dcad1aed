import Foundation
import Testing
import TendKube
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// `finalize`: what a rule does while a watched object is being deleted (examples/finalize, whose
/// RuleTest runs offline and live in the differential tests). Here: the plan and explanation of a
/// held deletion, the finalizer on every watched object, and the rule's errors.
@Suite struct FinalizeTests {
    static let root = DocsExamplesTests.root

    static func rule() throws -> Rule {
        let text = try String(contentsOf: root.appendingPathComponent("examples/finalize/backup.yaml"), encoding: .utf8)
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(text, file: "backup.yaml"))
        return try #require(rule, "\(diagnostics)")
    }

    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// The database with its config, after `tend run` has reconciled it once.
    static func reconciled() throws -> OfflineRun {
        let database: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "orders", "namespace": "t", "labels": ["example.com/database": "true"]], "data": ["size": "10Gi"]]
        var run = OfflineRun(rules: [try rule()], cluster: OfflineCluster(objects: [database]), now: Date())
        run.converge()
        return run
    }

    @Test func everyWatchedObjectGetsTheFinalizer() throws {
        let run = try Self.reconciled()
        let database = try #require(run.cluster.get(Self.configMap, namespace: "t", name: "orders"))
        #expect(database["metadata"]?["finalizers"] == ["cleanup.tend.dev/database-backup"])
    }

    @Test func aHeldDeletionSaysWhatItWaitsFor() throws {
        var run = try Self.reconciled()
        run.cluster.delete(Self.configMap, namespace: "t", name: "orders")
        let database = try #require(run.cluster.get(Self.configMap, namespace: "t", name: "orders"))
        let plan = Planner(rule: try Self.rule(), trace: true).plan(parent: database, world: run.cluster.world, now: Date())
        #expect(plan.children.map(\.id) == ["backup"] && plan.children.first?.action == .create)
        #expect(plan.finalizing == ["finalize child backup to be ready", "backup.data.?done.orValue('') == 'true'"])
        #expect(!plan.removeFinalizer && plan.prune.isEmpty)
        let text = PlanRenderer(color: false).render(plan)
        #expect(text.contains("  = finalizing: the deletion waits for backup.data.?done.orValue('') == 'true'"), "\(text)")
        #expect(PlanRenderer.json(plan)["finalizing"] == ["finalize child backup to be ready", "backup.data.?done.orValue('') == 'true'"])
        let explained = ExplainRenderer(color: false).renderPlan(plan)
        #expect(explained.contains("being deleted; finalize:"), "\(explained)")
        #expect(explained.contains("when ${backup.data.?done.orValue('') == 'true'}") && explained.contains("= finalizing: the deletion waits for finalize child backup to be ready"), "\(explained)")
    }

    /// docs/rules.md shows the lines tend plan prints, and its time-out example works.
    @Test func theDocsShowWhatTendPrints() throws {
        var run = try Self.reconciled()
        run.cluster.delete(Self.configMap, namespace: "t", name: "orders")
        let database = try #require(run.cluster.get(Self.configMap, namespace: "t", name: "orders"))
        let text = PlanRenderer(color: false).render(Planner(rule: try Self.rule()).plan(parent: database, world: run.cluster.world, now: Date()))
        let docs = try String(contentsOf: Self.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.contains("= finalizing") }
        #expect(lines.count == 2)
        for line in lines { #expect(docs.contains(String(line)), "\(line)") }

        let timeout = try String(contentsOf: Self.root.appendingPathComponent("examples/finalize/backup.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "    when: [\"${backup.data.?done.orValue('') == 'true'}\"]", with: "    when: [\"${backup.data.?done.orValue('') == 'true' || now - timestamp(self.metadata.deletionTimestamp) > duration('10m')}\"]")
        let rule = try #require(RuleCompiler.compile(try YAML.parse(timeout, file: "timeout.yaml")).rule)
        #expect(docs.contains("now - timestamp(self.metadata.deletionTimestamp) > duration('10m')"))
        var deleted = database
        deleted["metadata"]?["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        var world = run.cluster.world
        world.put(deleted)
        let soon = Planner(rule: rule).plan(parent: deleted, world: world, now: RFC3339.parse("2026-01-01T00:05:00Z")!)
        #expect(!soon.finalizing.isEmpty && !soon.removeFinalizer)
        #expect(soon.requeueAfter == .milliseconds(5 * 60_000 + 1))
        let late = Planner(rule: rule).plan(parent: deleted, world: world, now: RFC3339.parse("2026-01-01T00:11:00Z")!)
        #expect(late.finalizing == ["finalize child backup to be ready"])
    }

    @Test func finalizeNeedsChildrenOrConditions() throws {
        let text = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: empty}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              finalize: {}
            """
        let diagnostics = RuleCompiler.compile(try YAML.parse(text, file: "empty.yaml")).diagnostics.map(\.message)
        #expect(diagnostics.contains { $0.hasPrefix("finalize needs children") }, "\(diagnostics)")
    }

    /// Finalize children share the rule's ids; status does not see them.
    @Test func finalizeIdsAreTheRulesIds() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("examples/finalize/backup.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "      - id: backup", with: "      - id: config")
            .replacingOccurrences(of: "backup.data", with: "config.data")
        let diagnostics = RuleCompiler.compile(try YAML.parse(text, file: "backup.yaml")).diagnostics.map(\.message)
        #expect(diagnostics.contains { $0.contains("duplicate id \"config\"") }, "\(diagnostics)")
    }
}
