import TendMeta
public import TendValue

/// The fields of built-in kinds that the API server (Kubernetes 1.20 validation) refuses to
/// change on update, worded as it words the refusal. The offline cluster refuses such updates as
/// the API server does; the planner uses it to show a `recreate` child's update as `-/+ replace`.
///
/// Covered (checked against a real API server by ImmutableFieldsDifferentialTests): a Job's
/// `spec.selector`, `spec.template` and `spec.completions`; the `spec.selector` of Deployments,
/// ReplicaSets and DaemonSets; a StatefulSet's spec but `replicas`, `template` and
/// `updateStrategy`; a Pod's spec but container images, `activeDeadlineSeconds` and additions to
/// `tolerations`; a Service's cluster IP once set; `data` and `binaryData` of a ConfigMap or Secret
/// with `immutable: true`; a PersistentVolumeClaim's spec but `resources.requests`; the `roleRef`
/// of RoleBindings and ClusterRoleBindings. Custom resources have no immutable fields in 1.20
/// (CRD validation rules came later).
public enum ImmutableFields {
    /// An update the API server refuses.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        /// The field the API server names (`spec.template`, `spec`, `roleRef`).
        public var field: String
        /// `Kind.group "name" is invalid: field: ...`.
        public var description: String
    }

    /// The refusal of updating `live` to `updated`, or nil when the API server accepts it.
    public static func refusal(live: Value, updated: Value) -> Refusal? {
        guard let api = live["apiVersion"]?.stringValue, let kindName = live["kind"]?.stringValue,
              let kind = GroupVersionKind(apiVersion: api, kind: kindName) else { return nil }
        let changed = changedPaths(live, updated)
        guard !changed.isEmpty, let (field, detail) = rule(kind, live: live, updated: updated, changed: changed) else { return nil }
        let qualified = kind.group.isEmpty ? kind.kind : "\(kind.kind).\(kind.group)"
        let name = live["metadata"]?["name"]?.stringValue ?? ""
        return Refusal(field: field, description: "\(qualified) \"\(name)\" is invalid: \(field): \(detail)")
    }

    static let podUpdateRule = "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)"

    /// The field named and the rest of the message, for the first immutable change of `kind`.
    private static func rule(_ kind: GroupVersionKind, live: Value, updated: Value, changed: [FieldPath]) -> (String, String)? {
        func invalid(_ path: String, _ phrase: String = "field is immutable") -> (String, String)? {
            let fieldPath = try? FieldPath(parsing: path)
            let value = fieldPath.flatMap { updated[path: $0] } ?? .null
            return (path, "Invalid value: \(JSON.serialize(value)): \(phrase)")
        }
        func firstChanged(under prefixes: [String]) -> String? {
            prefixes.first { p in changed.contains { $0.isWithin(p) } }
        }
        switch (kind.group, kind.kind) {
        case ("batch", "Job"):
            return firstChanged(under: ["spec.selector", "spec.template", "spec.completions"]).flatMap { invalid($0) }
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"):
            return firstChanged(under: ["spec.selector"]).flatMap { invalid($0) }
        case ("apps", "StatefulSet"):
            let allowed = ["spec.replicas", "spec.template", "spec.updateStrategy"]
            guard changed.contains(where: { $0.isWithin("spec") && !allowed.contains(where: $0.isWithin) }) else { return nil }
            return ("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'template', and 'updateStrategy' are forbidden")
        case ("", "Pod"):
            if changed.contains(where: { $0.isWithin("spec.tolerations") }), !isAddition(live["spec"]?["tolerations"], updated["spec"]?["tolerations"]) {
                return ("spec.tolerations", "Forbidden: existing toleration can not be modified except its tolerationSeconds")
            }
            let forbidden = changed.contains { path in
                guard path.isWithin("spec") else { return false }
                if path.isWithin("spec.activeDeadlineSeconds") || path.isWithin("spec.tolerations") { return false }
                let c = path.components
                if c.count == 4, c[1] == .key("containers") || c[1] == .key("initContainers"), case .index = c[2], c[3] == .key("image") { return false }
                return true
            }
            return forbidden ? ("spec", podUpdateRule) : nil
        case ("", "Service"):
            guard let ip = live["spec"]?["clusterIP"]?.stringValue, !ip.isEmpty,
                  changed.contains(where: { $0.isWithin("spec.clusterIP") || $0.isWithin("spec.clusterIPs") }) else { return nil }
            let ips = updated["spec"]?["clusterIPs"] ?? updated["spec"]?["clusterIP"].map { .array([$0]) } ?? .null
            return ("spec.clusterIPs[0]", "Invalid value: \(JSON.serialize(ips)): may not change once set")
        case ("", "ConfigMap"), ("", "Secret"):
            guard live["immutable"]?.boolValue == true else { return nil }
            let field = firstChanged(under: ["data", "binaryData", "immutable"])
            return field.map { ($0, "Forbidden: field is immutable when `immutable` is set") }
        case ("", "PersistentVolumeClaim"):
            guard changed.contains(where: { $0.isWithin("spec") && !$0.isWithin("spec.resources.requests") }) else { return nil }
            return ("spec", "Forbidden: spec is immutable after creation except resources.requests for bound claims")
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            return firstChanged(under: ["roleRef"]).flatMap { invalid($0, "cannot change roleRef") }
        default:
            return nil
        }
    }

    /// Whether `new` keeps every toleration of `old` (they may only be added), leaving out those
    /// the DefaultTolerationSeconds admission plugin adds again on every update.
    private static func isAddition(_ old: Value?, _ new: Value?) -> Bool {
        let readmitted: Set<String> = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        let before = (old?.arrayValue ?? []).filter { !readmitted.contains($0["key"]?.stringValue ?? "") }
        let after = new?.arrayValue ?? []
        return before.allSatisfy { t in after.contains { same($0, t) } }
    }

    /// Whether `a` and `b` are the same value as the API server compares them: numbers by value
    /// (`1` equals `1.0`), a `null` field as an absent one.
    private static func same(_ a: Value, _ b: Value) -> Bool { a.includes(b) && b.includes(a) }

    /// The paths at which `old` and `new` differ: objects compared key by key, lists of equal
    /// length element by element, anything else (lists of different lengths included) as a whole.
    /// Numbers compare by value (`1` equals `1.0`).
    public static func changedPaths(_ old: Value?, _ new: Value?, at path: FieldPath = .root) -> [FieldPath] {
        switch (old, new) {
        case (.object(let a)?, .object(let b)?):
            var out: [FieldPath] = []
            for k in Set(a.keys).union(b.keys).sorted() { out += changedPaths(a[k], b[k], at: path.appending(key: k)) }
            return out
        case (.array(let a)?, .array(let b)?) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { changedPaths($0.element.0, $0.element.1, at: path.appending(index: $0.offset)) }
        case (nil, nil):
            return []
        case (let a?, let b?) where same(a, b):
            return []
        default:
            return [path]
        }
    }

    /// `updated` as the API server would store it after applying `desired` to `live`, as far as
    /// the planner can tell without the managed fields: `desired`'s values over `live`'s, objects
    /// merged key by key and lists of equal length element by element (a field a template no
    /// longer sets is not removed here; the offline cluster's server-side apply does remove it).
    public static func overlaid(_ desired: Value, on live: Value) -> Value {
        switch (live, desired) {
        case (.object(var l), .object(let d)):
            for (k, v) in d { l[k] = v.isNull ? nil : l[k].map { overlaid(v, on: $0) } ?? v }
            return .object(l)
        case (.array(let l), .array(let d)) where l.count == d.count:
            return .array(zip(l, d).map { overlaid($0.1, on: $0.0) })
        default:
            return desired
        }
    }
}

extension FieldPath {
    /// Whether this path is `dotted` or below it (`spec.template.spec` is within `spec.template`).
    func isWithin(_ dotted: String) -> Bool {
        let keys = dotted.split(separator: ".")
        guard components.count >= keys.count else { return false }
        return zip(components, keys).allSatisfy { $0 == .key(String($1)) }
    }
}
