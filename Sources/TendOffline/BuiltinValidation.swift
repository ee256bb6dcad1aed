import TendValue

/// The checks the Kubernetes 1.20 API server makes on the built-in kinds templates and tests
/// commonly write, that the offline cluster makes on what test steps apply
/// (``OfflineCluster/applyStep(_:)``), so that a step the server would refuse is refused offline
/// (reported as the server words it). Deliberately few, each cheap and general:
///
/// - workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet) need `spec.selector`, pod template
///   labels, and a selector that matches them (`matchLabels`);
/// - a Job's pod template needs `restartPolicy` `OnFailure` or `Never`;
/// - a Pod and every pod template need at least one container, each with a name and an image;
/// - a Deployment's or ReplicaSet's status counts are consistent (none above `replicas`, available
///   not above ready), as the status subresource checks them.
///
/// Run after ``BuiltinDefaults``, as the server validates the defaulted object.
enum BuiltinValidation {
    /// The field errors of `object`, worded as the API server words them (`spec.selector: Required
    /// value`); empty when it passes or its kind is not checked.
    static func errors(of object: Value) -> [String] {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else { return [] }
        var errors: [String] = []
        switch (apiVersion, kind) {
        case ("apps/v1", "Deployment"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"):
            errors += workload(object)
            if kind == "Deployment" || kind == "ReplicaSet" { errors += statusCounts(object) }
        case ("batch/v1", "Job"):
            errors += template(object["spec"]?["template"])
            if let policy = object["spec"]?["template"]?["spec"]?["restartPolicy"]?.stringValue, policy != "OnFailure", policy != "Never" {
                errors.append("spec.template.spec.restartPolicy: Unsupported value: \"\(policy)\": supported values: \"OnFailure\", \"Never\"")
            }
        case ("v1", "Pod"):
            errors += containers(object["spec"], at: "spec")
        default:
            break
        }
        return errors
    }

    static func workload(_ object: Value) -> [String] {
        var errors: [String] = []
        let selector = object["spec"]?["selector"]
        let labels = object["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? Value.Object()
        if selector == nil || selector?.isNull == true || selector == .emptyObject {
            errors.append("spec.selector: Required value")
        }
        if labels.isEmpty {
            errors.append("spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`")
        } else if let match = selector?["matchLabels"]?.objectValue, match.contains(where: { labels[$0.key] != $0.value }) {
            errors.append("spec.template.metadata.labels: Invalid value: \(render(.object(labels))): `selector` does not match template `labels`")
        }
        return errors + template(object["spec"]?["template"])
    }

    static func template(_ template: Value?) -> [String] {
        containers(template?["spec"], at: "spec.template.spec")
    }

    static func containers(_ spec: Value?, at path: String) -> [String] {
        guard let containers = spec?["containers"]?.arrayValue, !containers.isEmpty else {
            return ["\(path).containers: Required value"]
        }
        var errors: [String] = []
        for (i, c) in containers.enumerated() {
            if (c["name"]?.stringValue ?? "").isEmpty { errors.append("\(path).containers[\(i)].name: Required value") }
            if (c["image"]?.stringValue ?? "").isEmpty { errors.append("\(path).containers[\(i)].image: Required value") }
        }
        return errors
    }

    /// ValidateDeploymentStatus / ValidateReplicaSetStatus: the counts the status subresource accepts.
    static func statusCounts(_ object: Value) -> [String] {
        guard let status = object["status"], status != .emptyObject else { return [] }
        func count(_ key: String) -> Int64 { status[key]?.intValue ?? 0 }
        var errors: [String] = []
        let replicas = count("replicas")
        for key in ["updatedReplicas", "readyReplicas", "availableReplicas", "fullyLabeledReplicas"] where count(key) > replicas {
            errors.append("status.\(key): Invalid value: \(count(key)): cannot be greater than status.replicas")
        }
        if count("availableReplicas") > count("readyReplicas") {
            errors.append("status.availableReplicas: Invalid value: \(count("availableReplicas")): cannot be greater than readyReplicas")
        }
        return errors
    }

    static func render(_ v: Value) -> String {
        guard case .object(let o) = v else { return "\(v)" }
        return "map[string]string{" + o.map { "\"\($0.key)\":\"\($0.value.stringValue ?? "")\"" }.joined(separator: ", ") + "}"
    }
}
