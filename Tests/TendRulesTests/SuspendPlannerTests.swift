import Foundation
import Testing
import TendMeta
import TendOffline
import TendRules
import TendValue

/// `tend.dev/reconcile: suspended` on a watched object: the planner leaves it alone, except when
/// it is being deleted with Tend's finalizer (cleanup still runs).
@Suite struct SuspendPlannerTests {
    func suspend(_ object: Value, _ value: String = "suspended") -> Value {
        var o = object
        o["metadata"]?["annotations"] = ["tend.dev/reconcile": .string(value)]
        return o
    }

    @Test func suspendedObjectGetsAnEmptyPlanThenCatchesUpWhenResumed() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp(hosts: ["a", "b"])])
        _ = PlannerTests().converge(rule, &cluster)
        let replicasBefore = cluster.get(deploymentKind, namespace: "team-a", name: "shop")?["spec"]?["replicas"]
        #expect(replicasBefore == 2)
        // Suspended, then changed: fewer hosts (would prune), more replicas (would update).
        var parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        parent = suspend(parent)
        parent["spec"]?["hosts"] = ["a"]
        parent["spec"]?["replicas"] = 5
        cluster.world.put(parent)
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.suspended)
        #expect(!plan.hasChanges)
        #expect(plan.children.isEmpty && plan.prune.isEmpty && plan.parentPatch == nil && plan.status == nil && !plan.statusChanged)
        #expect(cluster.apply(plan) == 0)
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-b") != nil, "nothing pruned while suspended")
        #expect(cluster.get(deploymentKind, namespace: "team-a", name: "shop")?["spec"]?["replicas"] == 2)
        // The text and JSON forms say so.
        #expect(PlanRenderer(color: false).render(plan).contains("= suspended: tend.dev/reconcile: suspended"))
        #expect(PlanRenderer.json(plan)["suspended"] == true)
        #expect(PlanRenderer.summarize([plan]).suspended == 1)
        // Another value is not a suspension.
        #expect(!Planner(rule: rule).plan(parent: suspend(parent, "enabled"), world: cluster.world, now: now).suspended)

        // Resumed: the next plan catches up with everything at once.
        parent["metadata"]?["annotations"] = .emptyObject
        cluster.world.put(parent)
        let resumed = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(!resumed.suspended)
        #expect(resumed.children.first { $0.id == "deployment" }?.action == .update)
        #expect(resumed.prune.map(\.key.name) == ["shop-b"])
    }

    @Test func deletionOfASuspendedObjectWithTendsFinalizerIsStillCleanedUp() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: copy}
            spec:
              watch: {apiVersion: example.com/v1, kind: WebApp}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: shared}, data: {from: "${self.metadata.namespace}"}}
            """)
        var cluster = OfflineCluster(objects: [webapp()])
        _ = PlannerTests().converge(rule, &cluster)
        #expect(cluster.get(configMapKind, namespace: "shared", name: "shop") != nil)
        cluster.world.put(suspend(try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))))
        cluster.delete(webappKind, namespace: "team-a", name: "shop")
        let deleting = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"), "held by the finalizer")
        #expect(Planner.isSuspended(deleting))
        let cleanup = Planner(rule: rule).plan(parent: deleting, world: cluster.world, now: now)
        #expect(!cleanup.suspended)
        #expect(cleanup.prune.map(\.key) == [ObjectKey(namespace: "shared", name: "shop")])
        cluster.apply(cleanup)
        let last = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let done = Planner(rule: rule).plan(parent: last, world: cluster.world, now: now)
        #expect(done.removeFinalizer)
        cluster.apply(done)
        #expect(cluster.get(webappKind, namespace: "team-a", name: "shop") == nil, "the suspended object went away")
    }

    @Test func suspendedObjectOutOfScopeIsNotReleased() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp()])
        _ = PlannerTests().converge(rule, &cluster)
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let release = Planner(rule: rule).planRelease(parent: suspend(parent), world: cluster.world)
        #expect(release.suspended)
        #expect(release.prune.isEmpty && !release.removeFinalizer)
        #expect(!Planner(rule: rule).planRelease(parent: parent, world: cluster.world).prune.isEmpty, "control: released when not suspended")
    }
}
