import Foundation
import Testing
import TendMeta
import TendOffline
import TendRules
import TendValue
import TendYAML

func compileRule(_ yaml: String) throws -> Rule {
    let doc = try YAML.parse(yaml, file: "rule.yaml")
    let (rule, diagnostics) = RuleCompiler.compile(doc)
    guard let rule else {
        Issue.record("rule did not compile: \(diagnostics)")
        throw CancellationError()
    }
    return rule
}

let webappRule = """
    apiVersion: tend.dev/v1alpha1
    kind: Rule
    metadata: {name: webapp}
    spec:
      watch: {apiVersion: example.com/v1, kind: WebApp}
      children:
        - id: deployment
          template:
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: "${self.metadata.name}"}
            spec:
              replicas: ${self.spec.replicas}
              template:
                spec: {containers: [{name: app, image: "${self.spec.image}"}]}
          readyWhen:
            - ${deployment.status.availableReplicas == self.spec.replicas}
        - id: service
          includeWhen: ["${self.spec.expose}"]
          template: {apiVersion: v1, kind: Service, metadata: {name: "${self.metadata.name}"}, spec: {ports: [{port: 80}]}}
        - id: routes
          forEach: {host: "${self.spec.hosts}"}
          template:
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: "${self.metadata.name}-${host}"}
            data: {host: "${host}", url: "${service.spec.clusterIP}"}
      status:
        phase:
          initial: Pending
          transitions:
            - {from: [Pending, Degraded], to: Running, when: "${ready.deployment}"}
            - {from: [Running], to: Degraded, when: "${!ready.deployment}"}
        conditions:
          - {type: Ready, status: "${ready.all}", reason: "${ready.all ? 'AllReady' : 'Waiting'}"}
        fields:
          url: '${self.spec.expose ? "http://" + service.spec.clusterIP : ""}'
    """

let webappKind = GroupVersionKind(apiVersion: "example.com/v1", kind: "WebApp")!
let deploymentKind = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
let serviceKind = GroupVersionKind(apiVersion: "v1", kind: "Service")!
let configMapKind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
let now = Date(timeIntervalSince1970: 1_800_000_000)

func webapp(replicas: Int64 = 2, expose: Bool = true, hosts: [String] = ["a", "b"]) -> Value {
    [
        "apiVersion": "example.com/v1", "kind": "WebApp",
        "metadata": ["name": "shop", "namespace": "team-a"],
        "spec": ["image": "nginx:1.27", "replicas": .int(replicas), "expose": .bool(expose), "hosts": .array(hosts.map(Value.string))],
    ]
}

@Suite struct PlannerTests {
    /// Reconciles until nothing changes (at most `limit` rounds), like the controller would.
    func converge(_ rule: Rule, _ cluster: inout OfflineCluster, limit: Int = 6) -> [ReconcilePlan] {
        var plans: [ReconcilePlan] = []
        for _ in 0..<limit {
            guard let parent = cluster.get(webappKind, namespace: "team-a", name: "shop") else { break }
            let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
            plans.append(plan)
            if cluster.apply(plan) == 0 { break }
        }
        return plans
    }

    @Test func firstReconcileCreatesChildrenInOrderAndWaitsForDependencies() throws {
        let rule = try compileRule(webappRule)
        let cluster = OfflineCluster(objects: [webapp()])
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.children.map(\.id) == ["deployment", "service"])
        #expect(plan.children.map(\.action) == [.create, .create])
        // routes read service.spec.clusterIP: they wait until the service exists.
        #expect(plan.problems.contains { $0.reason == "Waiting" && $0.child == "routes" })
        let deployment = plan.children[0].desired
        #expect(deployment["spec"]?["replicas"] == 2)  // a whole-scalar expression keeps its type
        #expect(deployment["metadata"]?["namespace"] == "team-a")
        #expect(deployment["metadata"]?["labels"]?[Rule.ruleLabel] == "webapp")
        #expect(deployment["metadata"]?["ownerReferences"]?[0]?["kind"] == "WebApp")
        #expect(deployment["metadata"]?["ownerReferences"]?[0]?["controller"] == true)
        #expect(plan.status?["phase"] == "Pending")
        #expect(plan.status?["conditions"]?[0]?["status"] == "False")
    }

    @Test func convergesThenMakesZeroWrites() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp()])
        let plans = converge(rule, &cluster)
        let last = try #require(plans.last)
        #expect(!last.hasChanges, "reconcile of an unchanged world must make no writes")
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-a") != nil)
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-b") != nil)
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        #expect(parent["status"]?["phase"] == "Pending")  // the deployment is not available
        // The deployment becomes available: Running, then Ready.
        var deployment = try #require(cluster.get(deploymentKind, namespace: "team-a", name: "shop"))
        deployment["status"] = ["availableReplicas": 2]
        cluster.world.put(deployment)
        _ = converge(rule, &cluster)
        let running = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        #expect(running["status"]?["phase"] == "Running")
        #expect(running["status"]?["conditions"]?[0]?["reason"] == "AllReady")
    }

    @Test func handEditIsRevertedAndDeletedChildRecreated() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp()])
        _ = converge(rule, &cluster)
        var edited = try #require(cluster.get(deploymentKind, namespace: "team-a", name: "shop"))
        try edited.set(try FieldPath(parsing: "spec.replicas"), to: 9)
        cluster.world.put(edited)
        cluster.world.remove(serviceKind, namespace: "team-a", name: "shop")
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.children.first { $0.id == "deployment" }?.action == .update)
        #expect(plan.children.first { $0.id == "service" }?.action == .create)
    }

    @Test func childrenNoLongerDesiredArePruned() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp(hosts: ["a", "b", "c"])])
        _ = converge(rule, &cluster)
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-c") != nil)
        var parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        parent["spec"]?["hosts"] = ["a"]
        cluster.world.put(parent)
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(Set(plan.prune.map(\.key.name)) == ["shop-b", "shop-c"])
        _ = converge(rule, &cluster)
        #expect(cluster.get(configMapKind, namespace: "team-a", name: "shop-b") == nil)
        parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        parent["spec"]?["expose"] = false
        cluster.world.put(parent)
        // Turning expose off prunes the service, and the routes that read it are left out with it.
        let plan2 = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(Set(plan2.prune.map(\.key.name)) == ["shop", "shop-a"])
    }

    @Test func existingObjectNotManagedIsNotTakenOver() throws {
        let rule = try compileRule(webappRule)
        let foreign: Value = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "shop", "namespace": "team-a"], "spec": ["replicas": 1]]
        let cluster = OfflineCluster(objects: [webapp(), foreign])
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.children.first?.action == .notOwned)
        let ready = plan.status?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "False")
        #expect(ready?["reason"] == "NotOwned")
        // With adopt: true it is updated instead.
        let adopting = try compileRule(webappRule.replacingOccurrences(of: "    - id: deployment\n", with: "    - id: deployment\n      adopt: true\n"))
        let plan2 = Planner(rule: adopting).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan2.children.first?.action == .update)
    }

    @Test func templateErrorBecomesAConditionAndDeletesNothing() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp()])
        _ = converge(rule, &cluster)
        var parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        parent["spec"]?["hosts"] = "not-a-list"
        cluster.world.put(parent)
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.problems.contains { $0.reason == "TemplateError" && $0.message.contains("must be a list") })
        #expect(plan.prune.isEmpty, "a template error must never prune")
        let ready = plan.status?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
        #expect(ready?["reason"] == "TemplateError")
    }

    @Test func conditionTransitionTimeChangesOnlyWhenStatusFlips() throws {
        let rule = try compileRule(webappRule)
        var cluster = OfflineCluster(objects: [webapp()])
        _ = converge(rule, &cluster)
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let later = now.addingTimeInterval(3600)
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: later)
        let before = parent["status"]?["conditions"]?[0]?["lastTransitionTime"]
        #expect(plan.status?["conditions"]?[0]?["lastTransitionTime"] == before)
        #expect(!plan.statusChanged)
    }

    @Test func crossNamespaceChildUsesFinalizerInsteadOfOwnerReference() throws {
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
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.needsFinalizer)
        #expect(plan.children[0].desired["metadata"]?["ownerReferences"] == nil)
        #expect(plan.children[0].desired["metadata"]?["annotations"]?[Rule.ownerAnnotation] == "team-a/shop", "the owner is named where no ownerReference can")
        #expect(plan.parentPatch?["metadata"]?["finalizers"] == [.string(rule.finalizer)])
        cluster.apply(plan)
        // Deleting the parent: the finalizer holds it until the child is gone.
        cluster.delete(webappKind, namespace: "team-a", name: "shop")
        let deleting = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let cleanup = Planner(rule: rule).plan(parent: deleting, world: cluster.world, now: now)
        #expect(cleanup.prune.map(\.key) == [ObjectKey(namespace: "shared", name: "shop")])
        cluster.apply(cleanup)
        let last = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let done = Planner(rule: rule).plan(parent: last, world: cluster.world, now: now)
        #expect(done.removeFinalizer)
        cluster.apply(done)
        #expect(cluster.get(webappKind, namespace: "team-a", name: "shop") == nil)
        #expect(cluster.get(configMapKind, namespace: "shared", name: "shop") == nil)
    }

    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!

    @Test func namespacedChildOfAClusterScopedParentNamesItsNamespaceAndIsOwned() throws {
        let source = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: bootstrap}
            spec:
              watch: {apiVersion: v1, kind: Namespace}
              children:
                - id: quota
                  template: {apiVersion: v1, kind: ResourceQuota, metadata: {name: q, namespace: "${self.metadata.name}"}, spec: {hard: {pods: "1"}}}
            """
        let rule = try compileRule(source)
        let cluster = OfflineCluster(objects: [["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]]])
        let parent = try #require(cluster.get(Self.namespaceKind, namespace: "", name: "team-a"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        let quota = try #require(plan.children.first)
        #expect(quota.key == ObjectKey(namespace: "team-a", name: "q"))
        #expect(quota.desired["metadata"]?["ownerReferences"]?[0]?["kind"] == "Namespace")
        #expect(quota.desired["metadata"]?["ownerReferences"]?[0]?["controller"] == true)
        #expect(!plan.needsFinalizer, "a cluster-scoped owner is valid for a namespaced child")
        // Without metadata.namespace there is no namespace to put it in: a template error, not a guess.
        let bare = try compileRule(source.replacingOccurrences(of: #", namespace: "${self.metadata.name}""#, with: ""))
        let refused = Planner(rule: bare).plan(parent: parent, world: cluster.world, now: now)
        #expect(refused.children.isEmpty)
        #expect(refused.problems.contains { $0.reason == "TemplateError" && $0.message.contains("set metadata.namespace") })
    }

    @Test func listLookupOfNamespacesSpansTheClusterAndFeedsForEach() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: replicate}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              lookups:
                - {id: targets, apiVersion: v1, kind: Namespace, selector: {matchLabels: {replicas: enabled}}}
              children:
                - id: copies
                  forEach: {ns: "${targets.map(n, n.metadata.name != self.metadata.namespace, n.metadata.name)}"}
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: "${ns}"}, data: "${self.data}"}
            """)
        func ns(_ name: String, _ labels: Value = .emptyObject) -> Value { ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": labels]] }
        var cluster = OfflineCluster(objects: [
            ns("src", ["replicas": "enabled"]), ns("a", ["replicas": "enabled"]), ns("b", ["replicas": "enabled"]), ns("c"),
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg", "namespace": "src"], "data": ["k": "v"]],
        ])
        var parent = try #require(cluster.get(configMapKind, namespace: "src", name: "cfg"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(plan.children.map(\.key) == [ObjectKey(namespace: "a", name: "cfg"), ObjectKey(namespace: "b", name: "cfg")])
        #expect(plan.children.allSatisfy { $0.desired["metadata"]?["ownerReferences"] == nil })
        #expect(plan.needsFinalizer)
        cluster.apply(plan)
        // A copy that someone else's finalizer holds: the source keeps Tend's finalizer until it is
        // gone, and the copy is not deleted again on every reconcile.
        var held = try #require(cluster.get(configMapKind, namespace: "a", name: "cfg"))
        held["metadata"]?["finalizers"] = ["example.com/hold"]
        cluster.world.put(held)
        cluster.delete(configMapKind, namespace: "src", name: "cfg")
        parent = try #require(cluster.get(configMapKind, namespace: "src", name: "cfg"))
        let first = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(Set(first.prune.map(\.key.namespace)) == ["a", "b"])
        cluster.apply(first)
        #expect(cluster.get(configMapKind, namespace: "a", name: "cfg")?["metadata"]?["deletionTimestamp"] != nil)
        parent = try #require(cluster.get(configMapKind, namespace: "src", name: "cfg"))
        let waiting = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(waiting.prune.isEmpty, "a copy already being deleted is not deleted again")
        #expect(!waiting.removeFinalizer && waiting.needsFinalizer)
        #expect(!waiting.hasChanges)
        cluster.world.remove(configMapKind, namespace: "a", name: "cfg")
        let done = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        #expect(done.removeFinalizer)
        cluster.apply(done)
        #expect(cluster.get(configMapKind, namespace: "src", name: "cfg") == nil)
    }

    @Test func planOutputNeverShowsSecretValues() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: copy}
            spec:
              watch: {apiVersion: v1, kind: Secret}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: Secret, metadata: {name: "${self.metadata.name}-copy"}, data: "${self.data}"}
            """)
        let secretKind = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
        var cluster = OfflineCluster(objects: [["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "n"], "data": ["password": "aHVudGVyMg==", "user": "YWRtaW4="]]])
        var parent = try #require(cluster.get(secretKind, namespace: "n", name: "s"))
        let create = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        let text = PlanRenderer(color: false).render(create) + JSON.serialize(PlanRenderer.json(create))
        #expect(!text.contains("aHVudGVyMg==") && !text.contains("YWRtaW4="))
        #expect(text.contains("password: (sensitive value)"))
        cluster.apply(create)
        parent["data"]?["password"] = "cm90YXRlZA=="
        cluster.world.put(parent)
        let update = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: now)
        let diff = PlanRenderer(color: false).render(update) + JSON.serialize(PlanRenderer.json(update))
        #expect(!diff.contains("cm90YXRlZA==") && !diff.contains("aHVudGVyMg=="))
        #expect(diff.contains("(sensitive value, changed)"), "a changed value is shown as changed: \(diff)")
        #expect(!diff.contains("+  user"), "an unchanged value is not shown as changed")
    }
}

@Suite struct PlannerPolicyTests {
    @Test func orphanedChildrenAreReleasedNotDeleted() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: keep}
            spec:
              watch: {apiVersion: example.com/v1, kind: WebApp}
              children:
                - id: data
                  onDelete: orphan
                  includeWhen: ["${self.spec.expose}"]
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-data"}, data: {a: b}}
            """)
        var cluster = OfflineCluster(objects: [webapp(expose: true)])
        var run = OfflineRun(rules: [rule], cluster: cluster, now: now)
        run.converge()
        cluster = run.cluster
        let created = try #require(cluster.get(configMapKind, namespace: "team-a", name: "shop-data"))
        #expect(created["metadata"]?["labels"]?[Rule.ruleLabel] == "keep")
        // onDelete: orphan needs the finalizer, so the object can release the child before it goes.
        #expect(cluster.get(webappKind, namespace: "team-a", name: "shop")?["metadata"]?["finalizers"] == [.string(rule.finalizer)])
        var parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        parent["spec"]?["expose"] = false
        run.cluster.world.put(parent)
        let plan = Planner(rule: rule).plan(parent: parent, world: run.cluster.world, now: now)
        #expect(plan.prune.map(\.policy) == [.orphan])
        run.converge()
        let released = try #require(run.cluster.get(configMapKind, namespace: "team-a", name: "shop-data"))
        #expect(released["metadata"]?["labels"]?[Rule.ruleLabel] == nil, "released: no longer labelled as managed")
        #expect(released["metadata"]?["ownerReferences"] == nil, "released: no ownerReference, so the GC keeps it")
    }

    @Test func namespaceSelectorFollowsNamespaceLabels() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: ns-sel}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, namespaceSelector: {matchLabels: {tend: enabled}}}
              children:
                - id: reply
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-reply"}}
            """)
        let ns: (String, Bool) -> Value = { name, enabled in
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": enabled ? ["tend": "enabled"] : [:]]]
        }
        let cm: (String) -> Value = { namespace in ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "src", "namespace": .string(namespace)]] }
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [ns("on", true), ns("off", false), cm("on"), cm("off")]), now: now)
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "on", name: "src-reply") != nil)
        #expect(run.cluster.get(configMapKind, namespace: "off", name: "src-reply") == nil)
        run.cluster.put(ns("off", true))
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "off", name: "src-reply") != nil)
    }
}
