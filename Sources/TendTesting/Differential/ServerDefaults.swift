import TendOffline
public import TendValue

/// Defaults the Kubernetes 1.20 API server fills into built-in kinds, which an offline cluster
/// cannot know: the differential tests drop a field equal to its default from both sides, so an
/// offline object that leaves it out and the live one that has it compare equal.
///
/// Each entry was read off the local control plane (`kubectl apply --server-side` of a minimal
/// object, then `kubectl get -o yaml`). The list is deliberately short and literal:
///
/// - only the kinds and fields the shipped rules' tests write are listed (add one when a test
///   shows it, with the server's value);
/// - a field is dropped only when its value **equals** the default (a rule that sets
///   `sessionAffinity: ClientIP` still shows), and only for the kind named;
/// - defaults of custom kinds are not here: the offline cluster applies a CRD's `default:` values
///   itself (``StructuralDefaults``), so those are compared.
public struct ServerDefault: Sendable {
    /// One step of the path to a defaulted field.
    public enum Step: Sendable, Hashable {
        case key(String)
        /// Every element of a list.
        case each
    }

    public var apiVersion: String
    public var kind: String
    /// Where the field is; the last step is its key.
    public var path: [Step]
    /// The server's value for the field, given the object holding it (nil: no default there).
    public var value: @Sendable (_ holder: Value) -> Value?
    /// Why the server sets it, for the harness's documentation.
    public var reason: String

    public init(_ apiVersion: String, _ kind: String, _ path: [Step], reason: String, value: @escaping @Sendable (_ holder: Value) -> Value?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.path = path
        self.reason = reason
        self.value = value
    }

    public init(_ apiVersion: String, _ kind: String, _ path: [Step], _ constant: Value, reason: String) {
        self.init(apiVersion, kind, path, reason: reason) { _ in constant }
    }

    /// Removes the field from `object` wherever it equals this default, and a map on the way that
    /// held nothing else.
    public func drop(from object: inout Value) {
        guard object["apiVersion"]?.stringValue == apiVersion, object["kind"]?.stringValue == kind, case .key(let field)? = path.last else { return }
        Self.visit(&object, path.dropLast()) { holder in
            guard let present = holder[field], let expected = value(holder), present == expected else { return }
            holder[field] = nil
        }
    }

    private static func visit(_ value: inout Value, _ path: ArraySlice<Step>, _ body: (inout Value) -> Void) {
        guard let step = path.first else { return body(&value) }
        switch (step, value) {
        case (.key(let k), .object(var o)):
            guard var child = o[k] else { return }
            let before = child
            visit(&child, path.dropFirst(), body)
            // A map that held only defaults goes too (a Namespace's `spec: {finalizers: [kubernetes]}`).
            o[k] = child == .emptyObject && before != .emptyObject ? nil : child
            value = .object(o)
        case (.each, .array(var items)):
            for i in items.indices { visit(&items[i], path.dropFirst(), body) }
            value = .array(items)
        default:
            return
        }
    }
}

extension ServerDefault {
    private static func keys(_ path: String) -> [Step] {
        path.split(separator: ".").map { $0 == "*" ? .each : .key(String($0)) }
    }

    /// Every default the differential tests know, in the order they are dropped.
    public static let kubernetes120: [ServerDefault] = {
        let deployment = { (path: String, value: Value) in
            ServerDefault("apps/v1", "Deployment", keys(path), value, reason: "apps/v1 defaulting (SetDefaults_Deployment, SetDefaults_PodSpec)")
        }
        let container = "spec.template.spec.containers.*"
        let service = { (path: String, value: Value) in
            ServerDefault("v1", "Service", keys(path), value, reason: "core/v1 defaulting (SetDefaults_Service)")
        }
        return [
            deployment("spec.replicas", 1),
            deployment("spec.progressDeadlineSeconds", 600),
            deployment("spec.revisionHistoryLimit", 10),
            deployment("spec.strategy", ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]),
            // The server serializes the template's unset creationTimestamp as null.
            deployment("spec.template.metadata.creationTimestamp", .null),
            deployment("spec.template.spec.dnsPolicy", "ClusterFirst"),
            deployment("spec.template.spec.restartPolicy", "Always"),
            deployment("spec.template.spec.schedulerName", "default-scheduler"),
            deployment("spec.template.spec.securityContext", .emptyObject),
            deployment("spec.template.spec.terminationGracePeriodSeconds", 30),
            deployment("\(container).resources", .emptyObject),
            deployment("\(container).terminationMessagePath", "/dev/termination-log"),
            deployment("\(container).terminationMessagePolicy", "File"),
            deployment("\(container).ports.*.protocol", "TCP"),
            ServerDefault("apps/v1", "Deployment", keys("\(container).imagePullPolicy"), reason: "core/v1 SetDefaults_Container: by the image's tag", value: BuiltinDefaults.imagePullPolicy(of:)),
            // Pod templates of the other workloads: the same serialization of an unset time.
            ServerDefault("apps/v1", "StatefulSet", keys("spec.template.metadata.creationTimestamp"), .null, reason: "an unset time serialized as null"),
            ServerDefault("apps/v1", "ReplicaSet", keys("spec.template.metadata.creationTimestamp"), .null, reason: "an unset time serialized as null"),
            ServerDefault("apps/v1", "DaemonSet", keys("spec.template.metadata.creationTimestamp"), .null, reason: "an unset time serialized as null"),
            ServerDefault("batch/v1", "Job", keys("spec.template.metadata.creationTimestamp"), .null, reason: "an unset time serialized as null"),
            service("spec.type", "ClusterIP"),
            service("spec.sessionAffinity", "None"),
            service("spec.ports.*.protocol", "TCP"),
            ServerDefault("v1", "Service", keys("spec.ports.*.targetPort"), reason: "core/v1 SetDefaults_Service: the port") { $0["port"] },
            ServerDefault("v1", "Service", keys("spec.clusterIPs"), reason: "1.20 dual-stack field: the cluster IP as a list") { service in
                service["clusterIP"].map { .array([$0]) }
            },
            service("status.loadBalancer", .emptyObject),
            ServerDefault("v1", "Namespace", keys("spec.finalizers"), ["kubernetes"], reason: "the namespace controller's finalizer, set on create"),
            ServerDefault("v1", "Namespace", keys("status.phase"), "Active", reason: "core/v1 SetDefaults_NamespaceStatus"),
            ServerDefault("v1", "Secret", keys("type"), "Opaque", reason: "core/v1 SetDefaults_Secret"),
            // A Container limit's defaultRequest defaults to its default (the limit).
            ServerDefault("v1", "LimitRange", keys("spec.limits.*.defaultRequest"), reason: "core/v1 SetDefaults_LimitRangeItem") { item in
                item["type"] == "Container" ? item["default"] : nil
            },
            ServerDefault("rbac.authorization.k8s.io/v1", "RoleBinding", keys("subjects.*.apiGroup"), reason: "rbac/v1 SetDefaults_Subject: User and Group subjects") { subject in
                subject["kind"] == "Group" || subject["kind"] == "User" ? "rbac.authorization.k8s.io" : nil
            },
            ServerDefault("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", keys("subjects.*.apiGroup"), reason: "rbac/v1 SetDefaults_Subject: User and Group subjects") { subject in
                subject["kind"] == "Group" || subject["kind"] == "User" ? "rbac.authorization.k8s.io" : nil
            },
        ]
    }()
}
