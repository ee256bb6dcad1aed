import Testing
import TendMeta
import TendValue

@testable import TendOffline
@testable import TendRules

/// The offline cluster defaults and allocates built-in objects as a 1.20 API server does
/// (BuiltinDefaultsDifferentialTests compares the defaults with a real one), and checks the ones
/// test steps apply.
struct BuiltinAdmissionTests {
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let job = GroupVersionKind(apiVersion: "batch/v1", kind: "Job")!

    static func workload(_ kind: String, selector: Value?) -> Value {
        var spec: Value = ["template": ["metadata": ["labels": ["app": "a"]], "spec": ["containers": [["name": "c", "image": "nginx:1.26"]]]]]
        if let selector { spec["selector"] = selector }
        return ["apiVersion": "apps/v1", "kind": .string(kind), "metadata": ["name": "w", "namespace": "t"], "spec": spec]
    }

    @Test func aCreatedDeploymentReadsBackWithTheServersDefaults() throws {
        var cluster = OfflineCluster()
        cluster.put(Self.workload("Deployment", selector: ["matchLabels": ["app": "a"]]))
        let d = try #require(cluster.get(Self.deployment, namespace: "t", name: "w"))
        #expect(d["spec"]?["replicas"] == 1)
        #expect(d["spec"]?["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        #expect(d["spec"]?["template"]?["spec"]?["restartPolicy"] == "Always")
        #expect(d["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"] == "IfNotPresent")
        #expect(cluster.failures.isEmpty)
    }

    @Test func aValueTheObjectSetsIsKept() throws {
        var cluster = OfflineCluster()
        var d = Self.workload("Deployment", selector: ["matchLabels": ["app": "a"]])
        d["spec"]?["replicas"] = 0
        d["spec"]?["strategy"] = ["type": "Recreate"]
        cluster.put(d)
        let stored = try #require(cluster.get(Self.deployment, namespace: "t", name: "w"))
        #expect(stored["spec"]?["replicas"] == 0)
        #expect(stored["spec"]?["strategy"] == ["type": "Recreate"])
    }

    @Test func aStepsWorkloadWithoutSelectorIsRefusedAsTheServerWordsIt() {
        var cluster = OfflineCluster()
        cluster.applyStep(Self.workload("ReplicaSet", selector: nil))
        #expect(cluster.failures == [#"ReplicaSet.apps "w" is invalid: spec.selector: Required value"#])
        #expect(cluster.get(GroupVersionKind(apiVersion: "apps/v1", kind: "ReplicaSet")!, namespace: "t", name: "w") == nil)
    }

    @Test func statusCountsAboveReplicasAreRefused() {
        var cluster = OfflineCluster()
        var d = Self.workload("Deployment", selector: ["matchLabels": ["app": "a"]])
        d["status"] = ["availableReplicas": 2]
        cluster.applyStep(d)
        #expect(cluster.failures.count == 1)
        #expect(cluster.failures.first?.contains("status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas") == true, "\(cluster.failures)")
    }

    @Test func aJobGetsItsGeneratedSelectorFromItsUid() throws {
        var cluster = OfflineCluster()
        cluster.put(["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j", "namespace": "t"],
                     "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]]])
        let job = try #require(cluster.get(Self.job, namespace: "t", name: "j"))
        let uid = try #require(job["metadata"]?["uid"])
        #expect(job["spec"]?["selector"] == ["matchLabels": ["controller-uid": uid]])
        #expect(job["spec"]?["template"]?["metadata"]?["labels"] == ["controller-uid": uid, "job-name": "j"])
        #expect(job["spec"]?["backoffLimit"] == 6)
        #expect(job["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"] == "Always")
    }

    @Test func aJobWhosePodsWouldRestartAlwaysIsRefused() {
        var cluster = OfflineCluster()
        cluster.applyStep(["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j", "namespace": "t"],
                           "spec": ["template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]]])
        #expect(cluster.failures.first?.contains(#"spec.template.spec.restartPolicy: Unsupported value: "Always""#) == true, "\(cluster.failures)")
    }

    @Test func aStepsUidIsAPreconditionOnAnObjectThatExists() {
        var cluster = OfflineCluster()
        cluster.applyStep(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "t", "uid": "5b2c1f0e-0000-4000-8000-000000000000"]])
        #expect(cluster.failures == [#"Operation cannot be fulfilled on configmaps "c": uid mismatch: the provided object specified uid 5b2c1f0e-0000-4000-8000-000000000000, and no existing object was found"#])
        #expect(cluster.get(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: "t", name: "c") == nil)
    }

    @Test func aStepsServicePortNeedsItsProtocolButAContainerPortDoesNot() {
        var cluster = OfflineCluster()
        cluster.applyStep(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "s", "namespace": "t"], "spec": ["ports": [["port": 80]]]])
        #expect(cluster.failures.count == 1)
        #expect(cluster.failures.first?.contains(#"omits key field "protocol""#) == true, "\(cluster.failures)")
        var pod = Self.workload("Deployment", selector: ["matchLabels": ["app": "a"]])
        pod["spec"]?["template"]?["spec"]?["containers"] = [["name": "c", "image": "nginx", "ports": [["containerPort": 80]]]]
        cluster.applyStep(pod)
        #expect(cluster.failures.count == 1, "\(cluster.failures)")
        #expect(cluster.get(Self.deployment, namespace: "t", name: "w")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["ports"] == [["containerPort": 80, "protocol": "TCP"]])
    }
}
