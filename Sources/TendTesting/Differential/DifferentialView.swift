public import TendValue
import TendRules

/// What the differential tests compare of one object: the part an offline run and a live run must
/// agree on. Pure; each side's object goes through ``comparable(_:identities:)`` and the two
/// results must be equal.
///
/// Kept:
/// - `apiVersion`, `kind`, `metadata.name` and `namespace`;
/// - `metadata.labels`, `metadata.annotations` (Tend's applied-hash by presence only),
///   `metadata.finalizers`, `metadata.ownerReferences` as `{kind, name}`, and whether
///   `metadata.deletionTimestamp` is set;
/// - every other top-level field but `status`: `spec`, `data`, `stringData`, `binaryData`, `type`,
///   `roleRef`, `subjects`, ...;
/// - `status`, with `conditions` as `{type, status, reason}` and the times Tend writes left out.
///
/// Ignored, each for a reason (``ignored``): server-assigned metadata, times, and the defaults the
/// API server fills into built-in kinds (``ServerDefault/kubernetes120``). Server-assigned values
/// held elsewhere (uids, cluster IPs) are named after their object (``ServerIdentities``).
public struct DifferentialView: Sendable {
    public var defaults: [ServerDefault]

    public init(defaults: [ServerDefault] = ServerDefault.kubernetes120) {
        self.defaults = defaults
    }

    /// What is ignored and why: the harness's documentation, and the unit tests' checklist.
    public static let ignored: [(what: String, why: String)] = [
        ("metadata.uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields",
         "assigned or kept by the API server; the offline cluster makes up its own"),
        ("the deletionTimestamp's value", "a wall-clock time (whether it is set is compared)"),
        ("ownerReferences' apiVersion, uid, controller and blockOwnerDeletion", "uids differ by construction; kind and name identify the owner"),
        ("the value of the annotation \(ObjectMatch.appliedHashAnnotation)", "a hash of the applied object, which holds its owner's uid"),
        ("status.conditions' lastTransitionTime, message and observedGeneration",
         "times, and messages that quote them; a condition is its type, status and reason"),
        ("status.phaseTransitionTime, status.phaseHistory[].time, status.pendingTransition.since",
         "wall-clock times: the offline clock and the live one differ"),
        ("an empty status ({})", "the server writes `status: {}` for kinds with a status subresource"),
        ("a top-level field that is null (a ClusterRole's `rules: null`)", "the server serializes an unset field without `omitempty` as null; absent offline"),
        ("uids and Service cluster IPs wherever they appear", "compared as the name of the object they belong to (ServerIdentities)"),
        ("an annotation whose value is an object's resourceVersion", "assigned by the API server; compared as the name of that object (ServerIdentities)"),
        ("fields equal to a 1.20 server default of a built-in kind", "ServerDefault.kubernetes120 lists each"),
        ("service account token Secrets under generated names (a ServiceAccount's `secrets`, a Pod's token volume and mounts)",
         "named by the token controller and the ServiceAccount admission plugin; not modelled offline (ServerAllocatedTokens)"),
    ]

    /// `object` reduced to what is compared, with keys sorted (so that diffs line up).
    public func comparable(_ object: Value, identities: ServerIdentities) -> Value {
        var o = ServerAllocatedTokens.dropped(from: object)
        for d in defaults { d.drop(from: &o) }
        var view = Value.Object()
        view["apiVersion"] = o["apiVersion"]
        view["kind"] = o["kind"]
        view["metadata"] = Self.metadata(o["metadata"] ?? .emptyObject)
        for (key, value) in o.objectValue ?? Value.Object() where !["apiVersion", "kind", "metadata", "status"].contains(key) && !value.isNull {
            view[key] = value
        }
        if let status = o["status"].map(Self.status), status != .emptyObject {
            view["status"] = status
        }
        return Self.sortedKeys(identities.substitutingVersionsInAnnotations(identities.substituted(.object(view))))
    }

    static func metadata(_ metadata: Value) -> Value {
        var m = Value.Object()
        for key in ["name", "namespace", "labels", "finalizers"] {
            if let v = metadata[key], !v.isNull, v != "", v != .emptyObject, v != [] { m[key] = v }
        }
        if case .object(var annotations)? = metadata["annotations"] {
            if annotations[ObjectMatch.appliedHashAnnotation] != nil { annotations[ObjectMatch.appliedHashAnnotation] = "<applied-hash>" }
            if !annotations.isEmpty { m["annotations"] = .object(annotations) }
        }
        if let owners = metadata["ownerReferences"]?.arrayValue, !owners.isEmpty {
            m["ownerReferences"] = .array(owners.map { ["kind": $0["kind"] ?? .null, "name": $0["name"] ?? .null] })
        }
        if let deletion = metadata["deletionTimestamp"], !deletion.isNull { m["deletionTimestamp"] = "<set>" }
        return .object(m)
    }

    static func status(_ status: Value) -> Value {
        guard case .object(var s) = status else { return status }
        s["phaseTransitionTime"] = nil
        if let conditions = s["conditions"]?.arrayValue {
            s["conditions"] = .array(conditions.map { c in
                var kept = Value.Object()
                for key in ["type", "status", "reason"] { kept[key] = c[key] }
                return .object(kept)
            })
        }
        if let history = s["phaseHistory"]?.arrayValue {
            s["phaseHistory"] = .array(history.map { entry in
                var e = entry
                e["time"] = nil
                return e
            })
        }
        if case .object(var pending)? = s["pendingTransition"] {
            pending["since"] = nil
            s["pendingTransition"] = .object(pending)
        }
        return .object(s)
    }

    static func sortedKeys(_ value: Value) -> Value {
        switch value {
        case .object(var o):
            o = Value.Object(o.map { ($0.key, sortedKeys($0.value)) })
            o.sortKeys()
            return .object(o)
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }
}
