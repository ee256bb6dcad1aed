import TendValue

/// Synthetic but realistic Kubernetes objects of the sizes the performance targets name.
enum Fixtures {
    /// A ConfigMap whose JSON form is about 1 KiB.
    static func configMap(_ n: Int) -> Value {
        var data = Value.Object()
        for k in 0..<8 { data["key-\(k)"] = .string(String(repeating: "v", count: 80) + "\(n)") }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string("config-\(n)"), "namespace": "bench",
                "uid": .string("6f1c3a52-8d1e-4c55-9a3e-\(String(100_000_000_000 + n))"),
                "resourceVersion": .string(String(1_000 + n)), "creationTimestamp": "2026-11-29T01:00:00Z",
                "labels": ["app": "bench", "tier": "web"],
            ],
            "data": .object(data),
        ]
    }

    /// A Pod whose JSON form is about 5 KiB, shaped like one the API server returns (managedFields removed).
    static func pod(_ n: Int) -> Value {
        let name = "web-7d4b9c8f6d-\(n)"
        func env(_ i: Int) -> Value { ["name": .string("ENV_VAR_\(i)"), "value": .string("value-\(i)-\(n)")] }
        let container: Value = [
            "name": "app", "image": "registry.example.com/team/web:1.27.3",
            "ports": [["containerPort": 8080, "name": "http", "protocol": "TCP"]],
            "env": .array((0..<36).map(env)),
            "resources": ["limits": ["cpu": "500m", "memory": "256Mi"], "requests": ["cpu": "100m", "memory": "128Mi"]],
            "volumeMounts": [["name": "config", "mountPath": "/etc/web"], ["name": "kube-api-access-x2v9c", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true]],
            "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080, "scheme": "HTTP"], "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
            "readinessProbe": ["httpGet": ["path": "/ready", "port": 8080, "scheme": "HTTP"], "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
        ]
        let condition: (String) -> Value = { type in
            ["type": .string(type), "status": "True", "lastProbeTime": .null, "lastTransitionTime": "2026-11-29T01:00:05Z"]
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "generateName": "web-7d4b9c8f6d-", "namespace": "bench",
                "uid": .string("0b7d3e9a-1f2c-4d5e-8a9b-\(String(100_000_000_000 + n))"),
                "resourceVersion": .string(String(50_000 + n)), "creationTimestamp": "2026-11-29T01:00:00Z",
                "labels": ["app": "web", "pod-template-hash": "7d4b9c8f6d", "tier": "frontend", "app.kubernetes.io/name": "web"],
                "annotations": ["kubectl.kubernetes.io/restartedAt": "2026-11-28T12:00:00Z", "prometheus.io/scrape": "true", "prometheus.io/port": "9090"],
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c8f6d", "uid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "controller": true, "blockOwnerDeletion": true]],
            ],
            "spec": [
                "volumes": [["name": "config", "configMap": ["name": "web-config", "defaultMode": 420]],
                            ["name": "kube-api-access-x2v9c", "projected": ["sources": [["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]], ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]]], "defaultMode": 420]]],
                "containers": [container],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "default", "serviceAccount": "default", "nodeName": .string("node-\(n % 50)"),
                "securityContext": [:], "schedulerName": "default-scheduler",
                "tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300], ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300]],
                "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
            ],
            "status": [
                "phase": "Running",
                "conditions": .array(["Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition)),
                "hostIP": "10.0.3.17", "podIP": .string("10.244.\(n % 250).\(n % 200)"), "podIPs": [["ip": .string("10.244.\(n % 250).\(n % 200)")]],
                "startTime": "2026-11-29T01:00:00Z",
                "containerStatuses": [["name": "app", "state": ["running": ["startedAt": "2026-11-29T01:00:03Z"]], "lastState": [:], "ready": true, "restartCount": 0, "image": "registry.example.com/team/web:1.27.3", "imageID": "registry.example.com/team/web@sha256:4c1e997385b8fb4ad4d1d3c7e5af7ff3f882e6d8c4a1c7b6a6f5e4d3c2b1a0f9", "containerID": "containerd://8f7e6d5c4b3a29180f1e2d3c4b5a69788f7e6d5c4b3a29180f1e2d3c4b5a6978", "started": true]],
                "qosClass": "Burstable",
            ],
        ]
    }
}

extension Fixtures {
    /// `metadata.managedFields` as the API server records it for `object`: one `FieldsV1` entry per
    /// manager, each listing the fields that manager set (`f:` members, `k:{...}` list items keyed by
    /// their merge key, `.` for the container itself), in the server's compact form.
    static func managedFields(_ entries: [(manager: String, subresource: String?, fields: Value)]) -> Value {
        .array(entries.map { entry in
            var e: Value = [
                "manager": .string(entry.manager), "operation": "Update", "apiVersion": "v1",
                "time": "2026-11-29T01:00:05Z", "fieldsType": "FieldsV1", "fieldsV1": fieldsV1(entry.fields),
            ]
            if let subresource = entry.subresource { e["subresource"] = .string(subresource) }
            return e
        })
    }

    /// The `FieldsV1` set of every field of `value`.
    /// (`f:metadata`, `f:spec`, `f:status` themselves carry no `.`, as on a real server).
    static func fieldsV1(_ value: Value, level: Int = 0) -> Value {
        guard case .object(let o) = value else { return [:] }
        var out = Value.Object()
        if level > 1 { out["."] = [:] }
        for entry in o.entries {
            let key = entry.key, member = entry.value
            switch member {
            case .object(let m) where m.count > 0:
                out["f:" + key] = fieldsV1(member, level: level + 1)
            case .array(let items) where items.first?.objectValue != nil:
                // Lists of objects with a merge key are sets of `k:{"key":value}` items; others are atomic.
                var list = Value.Object()
                list["."] = [:]
                for item in items {
                    guard let mergeKey = ["name", "type", "containerPort", "ip", "mountPath"].first(where: { item[$0] != nil })
                    else { continue }
                    list["k:" + JSON.serialize([mergeKey: item[mergeKey]!])] = fieldsV1(item, level: 2)
                }
                out["f:" + key] = list.count > 1 ? .object(list) : [:]
            default:
                out["f:" + key] = [:]
            }
        }
        return .object(out)
    }

    /// ``pod(_:)`` with the managedFields of a ReplicaSet's Pod: kube-controller-manager's create
    /// (metadata and spec) and the kubelet's status updates.
    static func podWithManagedFields(_ n: Int) -> Value {
        var pod = pod(n)
        var created: Value = ["metadata": pod["metadata"]!, "spec": pod["spec"]!]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { created["metadata"]?[key] = nil }
        created["spec"]?["nodeName"] = nil
        let fields = managedFields([
            ("kube-controller-manager", nil, created),
            ("kubelet", "status", ["status": pod["status"]!]),
        ])
        pod["metadata"]?["managedFields"] = fields
        return pod
    }

    /// ``configMap(_:)`` with the managedFields of its creator.
    static func configMapWithManagedFields(_ n: Int) -> Value {
        var cm = configMap(n)
        let fields = managedFields([
            ("tend-bench", nil, ["metadata": ["labels": cm["metadata"]!["labels"]!], "data": cm["data"]!]),
        ])
        cm["metadata"]?["managedFields"] = fields
        return cm
    }
}
