package import TendMeta
import TendValue

/// Which kinds have a status subresource, as the API server serves them: Tend writes a status only
/// to those (`tend run` asks discovery; the offline cluster asks this).
///
/// Built-in kinds: the Kubernetes 1.20 resources with a `/status` subresource; any other kind of a
/// built-in group has none (a ConfigMap, a Secret, a Role). Custom kinds: as their CRD says
/// (`subresources.status`); a kind with neither a CRD nor a built-in group is assumed to have one.
package struct StatusSubresources: Sendable {
    /// `group/Kind` of the built-in kinds with a status subresource (1.20).
    static let builtinWithStatus: Set<String> = [
        "/Pod", "/Service", "/Node", "/Namespace", "/PersistentVolume", "/PersistentVolumeClaim",
        "/ReplicationController", "/ResourceQuota",
        "apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "apps/DaemonSet",
        "batch/Job", "batch/CronJob", "autoscaling/HorizontalPodAutoscaler",
        "networking.k8s.io/Ingress", "extensions/Ingress", "policy/PodDisruptionBudget",
        "certificates.k8s.io/CertificateSigningRequest", "apiregistration.k8s.io/APIService",
        "apiextensions.k8s.io/CustomResourceDefinition", "flowcontrol.apiserver.k8s.io/FlowSchema",
        "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration", "storage.k8s.io/VolumeAttachment",
    ]

    /// The groups Kubernetes itself serves (1.20).
    static let builtinGroups: Set<String> = [
        "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "extensions", "rbac.authorization.k8s.io",
        "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
        "events.k8s.io", "certificates.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io",
        "apiregistration.k8s.io", "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    ]

    /// Custom kinds (`group/Kind`) and whether their CRD declares a status subresource.
    private var custom: [String: Bool] = [:]

    mutating func register(crd: Value) {
        guard let group = crd["spec"]?["group"]?.stringValue, let kind = crd["spec"]?["names"]?["kind"]?.stringValue else { return }
        let hasStatus = (crd["spec"]?["versions"]?.arrayValue ?? []).contains { $0["subresources"]?["status"] != nil }
            || crd["spec"]?["subresources"]?["status"] != nil
        custom["\(group)/\(kind)"] = hasStatus
    }

    package func hasStatus(_ kind: GroupVersionKind) -> Bool {
        let key = "\(kind.group)/\(kind.kind)"
        if let known = custom[key] { return known }
        if Self.builtinGroups.contains(kind.group) { return Self.builtinWithStatus.contains(key) }
        return true
    }
}
