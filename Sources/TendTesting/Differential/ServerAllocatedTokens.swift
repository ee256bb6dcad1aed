public import TendValue

/// Service account token Secrets the API server's side allocates under generated names, which an
/// offline cluster cannot know and does not model: the differential tests drop them from both sides.
///
/// - The token controller adds `<account>-token-<5 characters>` to a ServiceAccount's `secrets`.
/// - The ServiceAccount admission plugin gives a Pod a volume of that Secret and mounts it in every
///   container at `/var/run/secrets/kubernetes.io/serviceaccount`.
///
/// Only these generated names are dropped: a token Secret a rule or test names itself
/// (`coredns-token-pvcnf` in a ServiceAccount of another name) is compared.
public enum ServerAllocatedTokens {
    static let mountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Whether `name` is a token Secret name the server generates for `account`.
    static func isGenerated(_ name: String, account: String) -> Bool {
        let prefix = account + "-token-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        return suffix.count == 5 && suffix.allSatisfy { $0.isLowercase || $0.isNumber }
    }

    /// `object` without the generated token Secrets.
    public static func dropped(from object: Value) -> Value {
        guard object["apiVersion"] == "v1" else { return object }
        var o = object
        switch object["kind"]?.stringValue {
        case "ServiceAccount":
            guard let account = object["metadata"]?["name"]?.stringValue, let secrets = object["secrets"]?.arrayValue else { return object }
            let kept = secrets.filter { !isGenerated($0["name"]?.stringValue ?? "", account: account) }
            o["secrets"] = kept.isEmpty ? nil : .array(kept)
        case "Pod":
            guard var spec = object["spec"] else { return object }
            let account = spec["serviceAccountName"]?.stringValue ?? "default"
            guard let volumes = spec["volumes"]?.arrayValue else { return object }
            let generated = Set(volumes.compactMap { v -> String? in
                guard let name = v["name"]?.stringValue, isGenerated(name, account: account), v["secret"]?["secretName"]?.stringValue == name else { return nil }
                return name
            })
            guard !generated.isEmpty else { return object }
            let kept = volumes.filter { !generated.contains($0["name"]?.stringValue ?? "") }
            spec["volumes"] = kept.isEmpty ? nil : .array(kept)
            for list in ["initContainers", "containers"] {
                guard case .array(var containers)? = spec[list] else { continue }
                for i in containers.indices {
                    let mounts = (containers[i]["volumeMounts"]?.arrayValue ?? []).filter {
                        !(generated.contains($0["name"]?.stringValue ?? "") && $0["mountPath"]?.stringValue == mountPath)
                    }
                    containers[i]["volumeMounts"] = mounts.isEmpty ? nil : .array(mounts)
                }
                spec[list] = .array(containers)
            }
            o["spec"] = spec
        default:
            break
        }
        return o
    }
}
