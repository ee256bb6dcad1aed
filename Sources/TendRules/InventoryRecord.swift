public import TendMeta
public import TendValue

/// The record of the kinds each rule has had children of: one ConfigMap, `tend-inventory`, in the
/// engine's namespace, with one data entry per rule and kind.
///
/// Children of a template later removed from a rule (by a reload, or before a restart) are found
/// again through it: the planner searches every recorded kind for the parent's managed children
/// (label `tend.dev/rule` and the parent's uid), so they are pruned exactly as before. The record
/// is per rule, not per watched object: it is written once when a rule first has a child of a kind,
/// not once per new parent, so a new child costs one request (its apply).
///
/// Format: the key is `<rule>.<Kind>.<version>[.<group>]` (kubectl's `Kind.version.group` order; a
/// rule name is a DNS label, without dots), the value the kind as the inventory names it,
/// `apiVersion/Kind`. Entries are only added, by a JSON merge patch of the entries a rule is adding,
/// so rules and shards writing at once never remove each other's entries, and an entry is never
/// removed: a kind with no child left costs an informer of its managed objects (none), nothing more.
///
/// Rules read before the record existed kept the list on each watched object, in the annotation
/// `inventory.tend.dev/<rule>` (``Rule/inventoryAnnotation``): still read, and carried into the
/// record before a write of the object's fields drops it.
public enum InventoryRecord {
    /// The ConfigMap's name.
    public static let name = "tend-inventory"
    public static let kind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// The data key of `kind` (`apiVersion/Kind`) for the rule named `rule`; nil for a malformed kind.
    public static func key(rule: String, kind: String) -> String? {
        guard let gvk = gvk(kind) else { return nil }
        return [rule, gvk.kind, gvk.version].joined(separator: ".") + (gvk.group.isEmpty ? "" : "." + gvk.group)
    }

    /// `apiVersion/Kind` parsed (`apps/v1/Deployment`, `v1/ConfigMap`).
    public static func gvk(_ kind: String) -> GroupVersionKind? {
        let parts = kind.split(separator: "/")
        guard parts.count >= 2, let name = parts.last, !name.isEmpty else { return nil }
        return GroupVersionKind(apiVersion: parts.dropLast().joined(separator: "/"), kind: String(name))
    }

    /// `kind` as the inventory names it: `apiVersion/Kind`.
    public static func name(of kind: GroupVersionKind) -> String { "\(kind.apiVersion)/\(kind.kind)" }

    /// Every rule's kinds in a `tend-inventory` ConfigMap. An entry whose key does not match its
    /// value (written by hand, or damaged) is skipped.
    public static func parse(_ configMap: Value) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        guard case .object(let data)? = configMap["data"] else { return out }
        for key in data.keys {
            guard let kind = data[key]?.stringValue, let dot = key.firstIndex(of: ".") else { continue }
            let rule = String(key[..<dot])
            guard Self.key(rule: rule, kind: kind) == key else { continue }
            out[rule, default: []].insert(kind)
        }
        return out
    }

    /// The merge patch that adds `kinds` for `rule` (entries already there are rewritten unchanged).
    public static func patch(rule: String, kinds: some Sequence<String>) -> Value {
        let entries = kinds.compactMap { kind in key(rule: rule, kind: kind).map { ($0, Value.string(kind)) } }
        return ["data": .object(Value.Object(entries.sorted { $0.0 < $1.0 }))]
    }

    /// A new record holding `kinds` for `rule`, in `namespace`.
    public static func configMap(namespace: String, rule: String, kinds: some Sequence<String>) -> Value {
        var object: Value = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["app.kubernetes.io/managed-by": "tend"]],
        ]
        object["data"] = patch(rule: rule, kinds: kinds)["data"]
        return object
    }
}
