import Foundation
import Testing
import TendOffline
import TendRules
import TendValue

/// Drift: where another writer changed a child Tend did not change, and who.
struct DriftTests {
    /// A Deployment as the API server returns it after Tend applied it and an HPA scaled it.
    static let scaledDeployment = """
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "812",
           "labels": {"tend.dev/rule": "webapp"},
           "managedFields": [
             {"manager": "tend", "operation": "Apply", "apiVersion": "apps/v1", "time": "2026-11-29T06:00:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:metadata": {"f:labels": {"f:tend.dev/rule": {}}},
                           "f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                             "f:spec": {"f:containers": {"k:{\\"name\\":\\"app\\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
             {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-29T06:00:01Z",
              "fieldsType": "FieldsV1", "subresource": "status",
              "fieldsV1": {"f:status": {"f:replicas": {}, "f:observedGeneration": {}}}},
             {"manager": "horizontal-pod-autoscaler", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-29T06:01:00Z",
              "fieldsType": "FieldsV1", "subresource": "scale",
              "fieldsV1": {"f:spec": {"f:replicas": {}}}}
           ]},
         "spec": {"replicas": 7, "selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"}]}}},
         "status": {"replicas": 7, "observedGeneration": 4}}
        """

    static let desiredDeployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "shop", "labels": ["tend.dev/rule": "webapp"]],
        "spec": [
            "replicas": 2, "selector": ["matchLabels": ["app": "web"]],
            "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]],
        ],
    ]

    /// A ConfigMap whose key `x` someone changed with `kubectl edit`.
    static let editedConfigMap = """
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "web-config", "namespace": "shop",
           "managedFields": [
             {"manager": "tend", "operation": "Apply", "apiVersion": "v1", "time": "2026-11-29T06:00:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:data": {"f:x": {}, "f:y": {}}}},
             {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "time": "2026-11-29T06:02:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:data": {"f:x": {}}}},
             {"manager": "kubectl-label", "operation": "Update", "apiVersion": "v1", "time": "2026-11-29T06:03:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:team": {}}}}}
           ]},
         "data": {"x": "b", "y": "same", "z": "not ours"}}
        """

    @Test func anHPAScalingADeploymentIsReportedOnSpecReplicas() throws {
        let live = try JSON.parse(Self.scaledDeployment)
        let drift = try #require(Drift.analyze(desired: Self.desiredDeployment, live: live))
        #expect(drift.paths == [try FieldPath(parsing: "spec.replicas")])
        #expect(drift.managers == [Drift.Manager(name: "horizontal-pod-autoscaler", operation: "Update")])
        #expect(drift.summary == "spec.replicas (changed by horizontal-pod-autoscaler/Update)")
        #expect(drift.managerList == "horizontal-pod-autoscaler (Update)")
    }

    @Test func aKeyEditedWithKubectlIsReportedWithItsManager() throws {
        let live = try JSON.parse(Self.editedConfigMap)
        let desired: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web-config", "namespace": "shop"], "data": ["x": "a", "y": "same"]]
        let drift = try #require(Drift.analyze(desired: desired, live: live))
        #expect(drift.paths.map(\.description) == ["data.x"])
        #expect(drift.managers.map(\.description) == ["kubectl-edit (Update)"], "tend itself and managers of other fields are left out")
    }

    @Test func noDifferenceIsNoDrift() throws {
        let live = try JSON.parse(Self.editedConfigMap)
        let desired: Value = ["apiVersion": "v1", "kind": "ConfigMap", "data": ["x": "b", "y": "same"]]
        #expect(Drift.analyze(desired: desired, live: live) == nil)
    }

    @Test func driftStopsAtArraysAndReportsMissingAndForbiddenFields() throws {
        var live = try JSON.parse(Self.scaledDeployment)
        try live.set(FieldPath(parsing: "spec.template.spec.containers[0].image"), to: "nginx:1.28")
        var desired = Self.desiredDeployment
        desired["spec"]?["replicas"] = 7
        desired["spec"]?["paused"] = true
        desired["spec"]?["template"]?["metadata"]?["labels"]?["tier"] = .null
        live["spec"]?["template"]?["metadata"]?["labels"]?["tier"] = "x"
        let drift = try #require(Drift.analyze(desired: desired, live: live))
        #expect(drift.paths.map(\.description) == ["spec.template.metadata.labels.tier", "spec.template.spec.containers", "spec.paused"])
        #expect(drift.managers.isEmpty, "only tend owns the containers list")
    }

    @Test func ownershipFollowsFieldsV1() throws {
        let fields = try JSON.parse(#"{"f:metadata": {"f:labels": {".": {}, "f:team": {}}}, "f:spec": {"f:selector": {}, "f:ports": {"k:{\"port\":80}": {".": {}, "f:port": {}}}}}"#)
        #expect(Drift.Manager(name: "a", operation: "Apply").description == "a (Apply)")
        let owns = { (path: String) in !Drift.managers(of: ["metadata": ["managedFields": [["manager": "m", "operation": "Update", "fieldsV1": fields]]]], owning: [try FieldPath(parsing: path)]).isEmpty }
        #expect(try owns("metadata.labels"))
        #expect(try owns("metadata.labels.team"))
        #expect(try !owns("metadata.labels.app"))
        #expect(try owns("spec.selector.matchLabels.app"), "an atomic field owns what is below it")
        #expect(try owns("spec.ports"), "an item below the list")
        #expect(try !owns("spec.replicas"))
        #expect(try !owns("data"))
    }

    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: config}
        spec:
          watch: {apiVersion: v1, kind: Secret}
          children:
            - id: config
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-config"}, data: {x: "${self.metadata.name}"}}
        """

    @Test func thePlannerMarksUpdatesOfAnUnchangedDesiredObjectAsDrift() throws {
        let rule = try compileRule(Self.rule)
        let parent: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "web", "namespace": "shop", "uid": "u1"]]
        var world = InMemoryWorld(objects: [parent])
        let first = Planner(rule: rule).plan(parent: parent, world: world, now: Date())
        #expect(first.children.first?.action == .create)
        #expect(first.children.first?.drift == nil)

        // Applied as planned, then someone edits data.x.
        var live = try #require(first.children.first?.desired)
        live["data"]?["x"] = "edited"
        live["metadata"]?["managedFields"] = [
            ["manager": "tend", "operation": "Apply", "fieldsV1": ["f:data": ["f:x": [:]]]],
            ["manager": "kubectl-edit", "operation": "Update", "fieldsV1": ["f:data": ["f:x": [:]]]],
        ]
        world.put(live)
        let drifted = Planner(rule: rule).plan(parent: parent, world: world, now: Date())
        let child = try #require(drifted.children.first)
        #expect(child.action == .update)
        #expect(child.drift?.paths.map(\.description) == ["data.x"])
        #expect(child.drift?.managers == [Drift.Manager(name: "kubectl-edit", operation: "Update")])
        #expect(PlanRenderer(color: false).render(drifted).contains("drifted: data.x (changed by kubectl-edit/Update)"))
        #expect(PlanRenderer.json(drifted)["actions"]?[0]?["drift"]?["paths"] == ["data.x"])
        // tend explain says it too, next to the update.
        let traced = Planner(rule: rule, trace: true).plan(parent: parent, world: world, now: Date())
        let explained = ExplainRenderer(color: false).render(ObjectExplanation(
            object: ObjectExplanation.reference(of: parent), rules: [.init(rule: rule.name, checks: [SelectionCheck(.kind, true, "watches Secret")], plan: traced)]))
        #expect(explained.contains("drifted: data.x (changed by kubectl-edit/Update); the template did not change, someone else changed the object"), "\(explained)")

        // Tend's own desired object changed (another parent name would be another object; change
        // the stored hash instead): a template change is not drift.
        live["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation] = "0000000000000000"
        world.put(live)
        let changed = Planner(rule: rule).plan(parent: parent, world: world, now: Date())
        #expect(changed.children.first?.action == .update)
        #expect(changed.children.first?.drift == nil)
    }
}
