import Foundation
import Testing
import TendKube
import TendMeta
import TendTesting
import TendValue
import TendYAML

@testable import TendOffline
@testable import TendRules

/// The offline cluster's model of the 1.20 API server's defaulting of built-in kinds
/// (``BuiltinDefaults``, ``BuiltinAllocation``) agrees with the real server: the same minimal
/// objects are created offline and by server-side apply on the local cluster, and compared whole
/// (``DifferentialView`` without its list of server defaults, so the defaults are compared). Only
/// what the server allocates is not compared by value: uids (named after their object, as the
/// differential tests do: a Job's generated selector holds one), a Service's cluster IP, and the
/// service account token the admission plugin mounts into Pods (``ServerAllocatedTokens``).
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(3)))
struct BuiltinDefaultsDifferentialTests {
    /// The minimal objects: each kind BuiltinDefaults models, with the variants its functions branch on.
    static let cases: [Value] = {
        let template: Value = ["metadata": ["labels": ["app": "a"]], "spec": ["containers": [["name": "c", "image": "nginx", "ports": [["containerPort": 80]]]]]]
        let selector: Value = ["matchLabels": ["app": "a"]]
        return [
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "plain"], "spec": ["selector": selector, "template": template]],
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "recreate"],
             "spec": ["replicas": 3, "strategy": ["type": "Recreate"], "selector": selector,
                      "template": ["metadata": ["labels": ["app": "a"]], "spec": ["restartPolicy": "Always", "containers": [["name": "c", "image": "registry.example:5000/team/app:1.2"]],
                                                                               "initContainers": [["name": "i", "image": "busybox:latest"]]]]]],
            ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "rs"], "spec": ["selector": selector, "template": template]],
            ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "sts"], "spec": ["serviceName": "sts", "selector": selector, "template": template]],
            ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "ds"], "spec": ["selector": selector, "template": template]],
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "job"],
             "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": .string("busybox@sha256:" + String(repeating: "a", count: 64))]]]]]],
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "parallel"],
             "spec": ["parallelism": 3, "template": ["metadata": ["labels": ["team": "x"]], "spec": ["restartPolicy": "OnFailure", "containers": [["name": "c", "image": "busybox"]]]]]],
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "guaranteed"],
             "spec": ["containers": [["name": "c", "image": "nginx:1.26", "resources": ["limits": ["cpu": "100m", "memory": "64Mi"]]]]]],
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "burstable"],
             "spec": ["serviceAccountName": "default", "volumes": [["name": "v", "configMap": ["name": "cm"]], ["name": "s", "secret": ["secretName": "x"]]],
                      "containers": [["name": "c", "image": "nginx", "resources": ["requests": ["cpu": "100m"]]]],
                      "tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"]]]],
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "besteffort"], "spec": ["containers": [["name": "c", "image": "nginx"]]]],
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "svc"], "spec": ["selector": ["app": "a"], "ipFamilies": ["IPv4"], "ports": [["name": "a", "port": 80, "protocol": "TCP"], ["name": "b", "port": 81, "targetPort": "http", "protocol": "UDP"]]]],
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "headless"], "spec": ["clusterIP": "None", "ports": [["port": 80, "protocol": "TCP"]]]],
            ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "ing"],
             "spec": ["defaultBackend": ["service": ["name": "svc", "port": ["number": 80]]]]],
            ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "np"], "spec": ["podSelector": .emptyObject, "ingress": [["from": [["podSelector": .emptyObject]]]]]],
            ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "egress"], "spec": ["podSelector": .emptyObject, "egress": [["to": [["podSelector": .emptyObject]]]]]],
            ["apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": ["name": "pdb"], "spec": ["minAvailable": 1, "selector": ["matchLabels": ["app": "a"]]]],
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "secret"], "stringData": ["k": "v"]],
            ["apiVersion": "v1", "kind": "LimitRange", "metadata": ["name": "limits"],
             "spec": ["limits": [["type": "Container", "default": ["cpu": "500m"]], ["type": "Pod", "max": ["cpu": "2"]]]]],
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "rb"],
             "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"],
             "subjects": [["kind": "User", "name": "alice"], ["kind": "Group", "name": "devs"], ["kind": "ServiceAccount", "name": "default", "namespace": "x"]]],
        ]
    }()

    /// Compares everything but server metadata; keeps the defaults (no ServerDefault list) except
    /// the serialization of a pod template's unset creationTimestamp as null, and a Service's
    /// `clusterIPs` when it is just `[clusterIP]` (the allocated address, named per side).
    static let view: DifferentialView = {
        var defaults = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].map {
            ServerDefault("apps/v1", $0, [.key("spec"), .key("template"), .key("metadata"), .key("creationTimestamp")], .null, reason: "serialization")
        }
        defaults.append(ServerDefault("batch/v1", "Job", [.key("spec"), .key("template"), .key("metadata"), .key("creationTimestamp")], .null, reason: "serialization"))
        defaults.append(ServerDefault("v1", "Service", [.key("spec"), .key("clusterIPs")], reason: "allocated") { s in s["clusterIP"].map { .array([$0]) } })
        return DifferentialView(defaults: defaults)
    }()

    @Test func theModelDefaultsAsTheAPIServerDoes() async throws {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        let ns = "builtin-defaults-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        let accounts = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ServiceAccount")!, namespace: ns)
        await poll(until: "default ServiceAccount") { (try? await accounts.get("default")) != nil }
        var offline = OfflineCluster()
        var compared = 0
        for var object in Self.cases {
            object["metadata"]?["namespace"] = .string(ns)
            let kind = GroupVersionKind(apiVersion: object["apiVersion"]!.stringValue!, kind: object["kind"]!.stringValue!)!
            let name = object["metadata"]!["name"]!.stringValue!
            offline.put(object)
            #expect(offline.failures.isEmpty, "\(kind.kind) \(name): offline refused: \(offline.failures)")
            let model = try #require(offline.get(kind, namespace: ns, name: name))
            let resource = try await client.resource(kind, namespace: ns)
            let live = try await resource.apply(object, fieldManager: "tend-test")
            let o = Self.view.comparable(model, identities: ServerIdentities(objects: [model]))
            let l = Self.view.comparable(live.settingKind(kind), identities: ServerIdentities(objects: [live]))
            let diff = UnifiedDiff.render(old: o, new: l, oldLabel: "offline", newLabel: "live")
            #expect(o == l, "\(kind.kind) \(name) differs:\n\(diff)")
            compared += 1
        }
        #expect(compared == Self.cases.count)
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }

    /// Every kind the model defaults is among the cases compared with the server.
    @Test func everyModelledKindIsCompared() {
        let compared = Set(Self.cases.map { "\($0["apiVersion"]!.stringValue!)/\($0["kind"]!.stringValue!)" })
        #expect(Set(BuiltinDefaults.kinds).subtracting(compared).subtracting(["rbac.authorization.k8s.io/v1/ClusterRoleBinding"]).isEmpty,
                "\(Set(BuiltinDefaults.kinds).subtracting(compared))")
    }
}

extension Value {
    fileprivate func settingKind(_ kind: GroupVersionKind) -> Value {
        var o = self
        o["apiVersion"] = .string(kind.apiVersion)
        o["kind"] = .string(kind.kind)
        return o
    }
}
