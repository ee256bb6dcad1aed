import Foundation
import Testing
import TendMeta
import TendOffline
import TendRules
import TendValue

/// ``Planner/planRelease(parent:world:)``: what releasing an object that left a rule's scope does.
@Suite struct ReleasePlannerTests {
    func converged(_ rule: Rule, _ objects: [Value]) -> OfflineRun {
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: objects), now: now)
        run.converge()
        return run
    }

    @Test func childrenAreDeletedDependentsFirstAndNothingElseIsWritten() throws {
        let rule = try compileRule(webappRule)
        let run = converged(rule, [webapp(expose: true, hosts: ["a", "b"])])
        let parent = try #require(run.cluster.get(webappKind, namespace: "team-a", name: "shop"))
        #expect(run.cluster.get(serviceKind, namespace: "team-a", name: "shop") != nil)

        let plan = Planner(rule: rule).planRelease(parent: parent, world: run.cluster.world)
        // routes read service: routes go first, then service, then deployment (reverse dependency order).
        #expect(plan.prune.map(\.id) == ["routes", "routes", "service", "deployment"])
        #expect(plan.prune.map(\.key.name) == ["shop-a", "shop-b", "shop", "shop"])
        // The object stays, so children it owns through an ownerReference are deleted too, not left to the GC.
        #expect(plan.prune.allSatisfy { $0.policy == .delete })
        #expect(plan.children.isEmpty)
        #expect(plan.parentPatch == nil)
        #expect(plan.status == nil && !plan.statusChanged && plan.phaseChange == nil)
        #expect(!plan.removeFinalizer && !plan.needsFinalizer, "no finalizer to remove")
        #expect(plan.release == ReconcilePlan.Release(finalizers: []))
        #expect(plan.problems.isEmpty)

        var cluster = run.cluster
        cluster.apply(plan)
        #expect(cluster.get(deploymentKind, namespace: "team-a", name: "shop") == nil)
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-a") == nil)
        let after = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        #expect(after["spec"] == parent["spec"] && after["status"] == parent["status"] && after["metadata"]?["annotations"] == parent["metadata"]?["annotations"])
        // Nothing left: releasing again plans nothing.
        #expect(!Planner(rule: rule).planRelease(parent: after, world: cluster.world).hasChanges)
    }

    static let mixedRule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: mixed}
        spec:
          watch: {apiVersion: example.com/v1, kind: WebApp}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: shared}, data: {a: b}}
            - id: data
              onDelete: orphan
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-data"}, data: {from: "${copy.metadata.namespace}"}}
        """

    @Test func orphanChildrenAreReleasedAndTheFinalizerGoesLast() throws {
        let rule = try compileRule(Self.mixedRule)
        var cluster = converged(rule, [webapp()]).cluster
        var parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        #expect(parent["metadata"]?["finalizers"] == [.string(rule.finalizer)])
        // Someone else's finalizer too.
        parent["metadata"]?["finalizers"] = ["example.com/keep", .string(rule.finalizer)]
        cluster.world.put(parent)

        let first = Planner(rule: rule).planRelease(parent: parent, world: cluster.world)
        #expect(first.prune.map(\.id) == ["data", "copy"])
        #expect(first.prune.map(\.policy) == [.orphan, .delete])
        // Children are still there: the finalizer stays until they are handled.
        #expect(first.needsFinalizer && !first.removeFinalizer)
        #expect(first.parentPatch == nil && first.children.isEmpty && first.status == nil)
        cluster.apply(first)
        let orphan = try #require(cluster.get(configMapKind, namespace: "team-a", name: "shop-data"))
        #expect(orphan["metadata"]?["labels"]?[Rule.ruleLabel] == nil, "released, not deleted")
        #expect(cluster.get(configMapKind, namespace: "shared", name: "shop") == nil)

        let middle = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let second = Planner(rule: rule).planRelease(parent: middle, world: cluster.world)
        #expect(second.prune.isEmpty)
        #expect(second.removeFinalizer)
        #expect(second.release?.finalizers == ["example.com/keep", rule.finalizer])
        cluster.apply(second)
        let released = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"), "the object itself stays")
        #expect(released["metadata"]?["finalizers"] == ["example.com/keep"], "only Tend's finalizer is removed")
        #expect(released["spec"] == parent["spec"])
    }

    @Test func aChildHeldByAnotherFinalizerKeepsTendsFinalizer() throws {
        let rule = try compileRule(Self.mixedRule)
        var cluster = converged(rule, [webapp()]).cluster
        var held = try #require(cluster.get(configMapKind, namespace: "shared", name: "shop"))
        held["metadata"]?["finalizers"] = ["example.com/hold"]
        cluster.world.put(held)
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        cluster.apply(Planner(rule: rule).planRelease(parent: parent, world: cluster.world))
        #expect(cluster.get(configMapKind, namespace: "shared", name: "shop")?["metadata"]?["deletionTimestamp"] != nil)

        let waiting = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).planRelease(parent: waiting, world: cluster.world)
        #expect(plan.prune.isEmpty, "a terminating child is not deleted again")
        #expect(plan.needsFinalizer && !plan.removeFinalizer)
    }
}
