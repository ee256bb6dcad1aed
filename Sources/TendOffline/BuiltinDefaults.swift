import Foundation
package import TendValue

/// The defaults the Kubernetes 1.20 API server fills into the built-in kinds rule templates and
/// tests commonly write, applied by the offline cluster on every create and update (as
/// ``StructuralDefaults`` applies a CRD's `default:` values), so `tend test` and `tend plan --state`
/// show what `kubectl get -o yaml` would.
///
/// Modelled: the `SetDefaults_*` functions of core/v1, apps/v1, batch/v1, networking/v1 and rbac/v1
/// for Pod specs (in Pods and in the pod templates of Deployments, ReplicaSets, StatefulSets,
/// DaemonSets and Jobs), containers and their ports, Deployment, ReplicaSet, StatefulSet, DaemonSet,
/// Job, Service, Secret, LimitRange and (Cluster)RoleBinding subjects; the Pod admission plugins a
/// 1.20 server enables by default that do not depend on other objects (Priority,
/// DefaultTolerationSeconds, the ServiceAccount plugin's name; `status.qosClass`); the empty
/// statuses the server writes (Service and Ingress `loadBalancer: {}`, StatefulSet `replicas: 0`, a PodDisruptionBudget's zero counts).
///
/// Not modelled: admission that depends on other objects (LimitRanger, the ServiceAccount plugin's
/// token volume, whose Secret name is generated), and anything controllers write: no ReplicaSets for
/// Deployments, no Pods for Jobs or StatefulSets, no status updates (the offline cluster runs no
/// controllers). Server-allocated values (a Service's cluster IP, a Job's generated selector) are
/// allocated by ``BuiltinAllocation``. ``BuiltinDefaultsDifferentialTests`` compares each kind with
/// the live server.
package enum BuiltinDefaults {
    /// `object` with its kind's defaults filled in where it leaves them out; objects of other kinds
    /// come back unchanged. Idempotent.
    static func applied(to object: Value) -> Value {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let defaulting = table[apiVersion + "/" + kind]
        else { return object }
        var o = object
        defaulting(&o)
        return o
    }

    /// The kinds defaulted, by `apiVersion/kind`.
    static var kinds: [String] { table.keys.sorted() }

    static let table: [String: @Sendable (inout Value) -> Void] = [
        "apps/v1/Deployment": { o in
            setIfAbsent(&o, ["spec", "replicas"], 1)
            setIfAbsent(&o, ["spec", "strategy"], ["type": "RollingUpdate"])
            if o["spec"]?["strategy"]?["type"] == "RollingUpdate" {
                setIfAbsent(&o, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
                setIfAbsent(&o, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            }
            setIfAbsent(&o, ["spec", "revisionHistoryLimit"], 10)
            setIfAbsent(&o, ["spec", "progressDeadlineSeconds"], 600)
            podTemplate(&o)
        },
        "apps/v1/ReplicaSet": { o in
            setIfAbsent(&o, ["spec", "replicas"], 1)
            podTemplate(&o)
            setIfAbsent(&o, ["status", "replicas"], 0)
        },
        "apps/v1/StatefulSet": { o in
            setIfAbsent(&o, ["spec", "replicas"], 1)
            setIfAbsent(&o, ["spec", "podManagementPolicy"], "OrderedReady")
            setIfAbsent(&o, ["spec", "updateStrategy"], ["type": "RollingUpdate"])
            if o["spec"]?["updateStrategy"]?["type"] == "RollingUpdate" {
                setIfAbsent(&o, ["spec", "updateStrategy", "rollingUpdate", "partition"], 0)
            }
            setIfAbsent(&o, ["spec", "revisionHistoryLimit"], 10)
            podTemplate(&o)
            setIfAbsent(&o, ["status", "replicas"], 0)
        },
        "apps/v1/DaemonSet": { o in
            setIfAbsent(&o, ["spec", "updateStrategy"], ["type": "RollingUpdate"])
            if o["spec"]?["updateStrategy"]?["type"] == "RollingUpdate" {
                setIfAbsent(&o, ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"], 1)
            }
            setIfAbsent(&o, ["spec", "revisionHistoryLimit"], 10)
            podTemplate(&o)
            // The DaemonSet strategy records the template generation it was created with.
            setIfAbsent(&o, ["metadata", "annotations", "deprecated.daemonset.template.generation"], "1")
            for field in ["currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady"] {
                setIfAbsent(&o, ["status", field], 0)
            }
        },
        "batch/v1/Job": { o in
            // completions and parallelism default to 1 only when both are unset.
            if o["spec"]?["completions"] == nil, o["spec"]?["parallelism"] == nil {
                setIfAbsent(&o, ["spec", "completions"], 1)
            }
            setIfAbsent(&o, ["spec", "parallelism"], 1)
            setIfAbsent(&o, ["spec", "backoffLimit"], 6)
            podTemplate(&o)
            // SetDefaults_Job: a Job without labels gets its pod template's.
            if o["metadata"]?["labels"] == nil, let labels = o["spec"]?["template"]?["metadata"]?["labels"] {
                o["metadata"]?["labels"] = labels
            }
        },
        "v1/Pod": { o in
            guard var spec = o["spec"] else { return }
            podSpec(&spec)
            // SetDefaults_Pod: a container's requests default to its limits.
            for list in ["initContainers", "containers"] {
                guard case .array(var containers)? = spec[list] else { continue }
                for i in containers.indices {
                    for (resource, limit) in containers[i]["resources"]?["limits"]?.objectValue ?? Value.Object() {
                        setIfAbsent(&containers[i], ["resources", "requests", resource], limit)
                    }
                }
                spec[list] = .array(containers)
            }
            setIfAbsent(&spec, ["enableServiceLinks"], true)
            setIfAbsent(&spec, ["priority"], 0)
            setIfAbsent(&spec, ["preemptionPolicy"], "PreemptLowerPriority")
            setIfAbsent(&spec, ["serviceAccountName"], "default")
            setIfAbsent(&spec, ["serviceAccount"], spec["serviceAccountName"] ?? "default")
            defaultTolerations(&spec)
            o["spec"] = spec
            setIfAbsent(&o, ["status", "phase"], "Pending")
            setIfAbsent(&o, ["status", "qosClass"], .string(qosClass(of: spec)))
        },
        "v1/Service": { o in
            // The IPv6DualStack feature gate is off in 1.20: the server drops its fields.
            o["spec"]?["ipFamilies"] = nil
            o["spec"]?["ipFamilyPolicy"] = nil
            setIfAbsent(&o, ["spec", "type"], "ClusterIP")
            setIfAbsent(&o, ["spec", "sessionAffinity"], "None")
            if case .array(var ports)? = o["spec"]?["ports"] {
                for i in ports.indices {
                    setIfAbsent(&ports[i], ["protocol"], "TCP")
                    if let port = ports[i]["port"] { setIfAbsent(&ports[i], ["targetPort"], port) }
                }
                o["spec"]?["ports"] = .array(ports)
            }
            setIfAbsent(&o, ["status", "loadBalancer"], .emptyObject)
        },
        "networking.k8s.io/v1/NetworkPolicy": { o in
            // SetDefaults_NetworkPolicy: Ingress always, Egress when it has egress rules.
            guard o["spec"] != nil, (o["spec"]?["policyTypes"]?.arrayValue ?? []).isEmpty else { return }
            let egress = o["spec"]?["egress"]?.arrayValue.map { !$0.isEmpty } ?? false
            o["spec"]?["policyTypes"] = egress ? ["Ingress", "Egress"] : ["Ingress"]
        },
        "policy/v1beta1/PodDisruptionBudget": { o in
            // Counts without omitempty: a new budget reads back with zeros until its controller runs.
            for field in ["currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods"] {
                setIfAbsent(&o, ["status", field], 0)
            }
        },
        "networking.k8s.io/v1/Ingress": { o in
            setIfAbsent(&o, ["status", "loadBalancer"], .emptyObject)
        },
        "v1/Secret": { o in
            setIfAbsent(&o, ["type"], "Opaque")
            // The server stores stringData in data (base64), its value winning, and drops it.
            if let stringData = o["stringData"]?.objectValue {
                var data = o["data"]?.objectValue ?? Value.Object()
                for (key, value) in stringData { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
                o["data"] = .object(data)
                o["stringData"] = nil
            }
        },
        "v1/LimitRange": { o in
            guard case .array(var limits)? = o["spec"]?["limits"] else { return }
            for i in limits.indices where limits[i]["type"] == "Container" {
                if let limit = limits[i]["default"] { setIfAbsent(&limits[i], ["defaultRequest"], limit) }
            }
            o["spec"]?["limits"] = .array(limits)
        },
        "rbac.authorization.k8s.io/v1/RoleBinding": { o in subjects(&o) },
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { o in subjects(&o) },
    ]

    /// The default of a list-map key field the 1.20 server's schema declares, which lets a
    /// server-side apply leave the key out: a container port's `protocol` (`TCP`). A Service port's
    /// `protocol` has none in 1.20 (its server-side apply is refused without it).
    static func listKeyDefault(at path: [String], key: String) -> Value? {
        guard key == "protocol", path.last == "ports", path.count >= 2,
            ["containers", "initContainers", "ephemeralContainers"].contains(path[path.count - 2])
        else { return nil }
        return "TCP"
    }

    /// Sets the field at `path` to `value` unless it is there (and not null), creating the maps on
    /// the way.
    static func setIfAbsent(_ o: inout Value, _ path: ArraySlice<String>, _ value: Value) {
        guard let key = path.first, case .object(var map) = o.isNull ? .emptyObject : o else { return }
        if path.count == 1 {
            if map[key] == nil || map[key]?.isNull == true { map[key] = value }
        } else {
            var child = map[key] ?? .emptyObject
            setIfAbsent(&child, path.dropFirst(), value)
            map[key] = child
        }
        o = .object(map)
    }

    static func setIfAbsent(_ o: inout Value, _ path: [String], _ value: Value) {
        setIfAbsent(&o, path[...], value)
    }

    /// A workload's pod template: its spec defaulted as a Pod's own spec is (SetDefaults_PodSpec).
    static func podTemplate(_ o: inout Value) {
        guard var spec = o["spec"]?["template"]?["spec"] else { return }
        podSpec(&spec)
        o["spec"]?["template"]?["spec"] = spec
    }

    /// SetDefaults_PodSpec and SetDefaults_Container for every container and init container.
    static func podSpec(_ spec: inout Value) {
        setIfAbsent(&spec, ["restartPolicy"], "Always")
        setIfAbsent(&spec, ["dnsPolicy"], "ClusterFirst")
        setIfAbsent(&spec, ["schedulerName"], "default-scheduler")
        setIfAbsent(&spec, ["securityContext"], .emptyObject)
        setIfAbsent(&spec, ["terminationGracePeriodSeconds"], 30)
        // The deprecated serviceAccount mirrors serviceAccountName (and the other way round).
        if let name = spec["serviceAccountName"], !name.isNull { setIfAbsent(&spec, ["serviceAccount"], name) }
        if let name = spec["serviceAccount"], !name.isNull { setIfAbsent(&spec, ["serviceAccountName"], name) }
        for list in ["initContainers", "containers"] {
            guard case .array(var containers)? = spec[list] else { continue }
            for i in containers.indices { container(&containers[i]) }
            spec[list] = .array(containers)
        }
        // SetDefaults_{ConfigMap,Secret,DownwardAPI,Projected}VolumeSource: mode 0644.
        if case .array(var volumes)? = spec["volumes"] {
            for i in volumes.indices {
                for source in ["configMap", "secret", "downwardAPI", "projected"] where volumes[i][source] != nil {
                    setIfAbsent(&volumes[i], [source, "defaultMode"], 420)
                }
            }
            spec["volumes"] = .array(volumes)
        }
    }

    static func container(_ c: inout Value) {
        setIfAbsent(&c, ["terminationMessagePath"], "/dev/termination-log")
        setIfAbsent(&c, ["terminationMessagePolicy"], "File")
        if let policy = imagePullPolicy(of: c) { setIfAbsent(&c, ["imagePullPolicy"], policy) }
        setIfAbsent(&c, ["resources"], .emptyObject)
        if case .array(var ports)? = c["ports"] {
            for i in ports.indices { setIfAbsent(&ports[i], ["protocol"], "TCP") }
            c["ports"] = .array(ports)
        }
    }

    /// `Always` for an image without a tag or tagged `latest`, else `IfNotPresent` (also for an
    /// image pinned by digest).
    package static func imagePullPolicy(of container: Value) -> Value? {
        guard let image = container["image"]?.stringValue else { return nil }
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    /// The DefaultTolerationSeconds admission plugin: tolerate not-ready and unreachable nodes for
    /// 300 s, unless the Pod tolerates them itself.
    static func defaultTolerations(_ spec: inout Value) {
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.contains { t in
                (t["key"]?.stringValue == key || (t["key"] == nil && t["operator"] == "Exists"))
                    && (t["effect"] == nil || t["effect"] == "NoExecute")
            }
            if !tolerated {
                tolerations.append(["effect": "NoExecute", "key": .string(key), "operator": "Exists", "tolerationSeconds": 300])
            }
        }
        spec["tolerations"] = .array(tolerations)
    }

    /// A Pod's quality-of-service class from its containers' cpu and memory requests and limits
    /// (requests default to the limits).
    static func qosClass(of spec: Value) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = true
        for c in containers {
            let limits = c["resources"]?["limits"]
            let requests = c["resources"]?["requests"]
            for resource in ["cpu", "memory"] {
                let limit = limits?[resource]
                let request = requests?[resource] ?? limit
                if limit != nil || request != nil { anySet = true }
                if limit == nil || request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// rbac/v1 SetDefaults_Subject: User and Group subjects are in the rbac API group.
    static func subjects(_ o: inout Value) {
        guard case .array(var subjects)? = o["subjects"] else { return }
        for i in subjects.indices where subjects[i]["kind"] == "User" || subjects[i]["kind"] == "Group" {
            setIfAbsent(&subjects[i], ["apiGroup"], "rbac.authorization.k8s.io")
        }
        o["subjects"] = .array(subjects)
    }
}
