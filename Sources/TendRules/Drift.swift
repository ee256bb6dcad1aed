public import TendValue

/// Why a child Tend did not change needs an apply anyway: someone else changed the live object.
///
/// A planned child is *drifted* when its action is ``PlannedChild/Action/update`` while the live
/// object carries the applied-hash of the very object Tend would apply now: Tend's desired object
/// did not change, so the difference was made by another writer (an HPA scaling `spec.replicas`,
/// a person editing a ConfigMap key, another operator). ``analyze(desired:live:)`` says where and,
/// when the live object has `metadata.managedFields`, who.
///
/// Paths are the fields the desired object sets whose live value differs, found like
/// ``ObjectMatch/contains(_:_:)`` compares: objects key by key, a key missing from the live object
/// (unless the desired value is `null`) or with another value; arrays are not descended into (the
/// array's own path is reported).
public struct Drift: Sendable, Hashable {
    /// The drifted fields, in the desired object's key order.
    public var paths: [FieldPath]
    /// Managers other than Tend that own a drifted field (or something below it), in the order of
    /// `metadata.managedFields`; empty when the live object carries no `managedFields` (the engine's
    /// cache drops them).
    public var managers: [Manager]

    public init(paths: [FieldPath], managers: [Manager] = []) {
        self.paths = paths
        self.managers = managers
    }

    /// One entry of `metadata.managedFields`: the manager's name and the operation that wrote.
    public struct Manager: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        /// `Update` or `Apply`.
        public var operation: String
        public init(name: String, operation: String) {
            self.name = name
            self.operation = operation
        }
        /// `kubectl-edit (Update)`; another of Tend's rules is named as such: `rule web`.
        public var description: String {
            if let rule = Rule.ruleName(ofManager: name) { return "rule \(rule)" }
            return operation.isEmpty ? name : "\(name) (\(operation))"
        }
    }

    /// The paths, comma-separated: `data.x, data.y`.
    public var pathList: String { paths.map(\.description).joined(separator: ", ") }

    /// The managers, comma-separated: `rival (Update), hpa (Update)`; nil when none is known.
    public var managerList: String? { managers.isEmpty ? nil : managers.map(\.description).joined(separator: ", ") }

    /// The line `tend plan` shows: `data.x (changed by rival/Update)`.
    public var summary: String {
        guard !managers.isEmpty else { return pathList }
        let who = managers.map { m in
            if let rule = Rule.ruleName(ofManager: m.name) { return "rule \(rule)" }
            return m.operation.isEmpty ? m.name : "\(m.name)/\(m.operation)"
        }.joined(separator: ", ")
        return "\(pathList) (changed by \(who))"
    }

    /// Where `live` differs from `desired` in the fields `desired` sets, and which managers other
    /// than `excluding` (the rule's own: ``Rule/ownManagers``) own those fields in `live`'s
    /// `managedFields`. Another rule's manager (`tend/<rule>`) is a writer like any other. Nil when
    /// nothing differs.
    public static func analyze(desired: Value, live: Value, excluding: Set<String> = [Rule.legacyFieldManager]) -> Drift? {
        var paths: [FieldPath] = []
        collect(live: live, desired: desired, at: .root, into: &paths)
        guard !paths.isEmpty else { return nil }
        return Drift(paths: paths, managers: managers(of: live, owning: paths, excluding: excluding))
    }

    private static func collect(live: Value?, desired: Value, at path: FieldPath, into paths: inout [FieldPath]) {
        guard let live else {
            if !desired.isNull { paths.append(path) }
            return
        }
        if case .object(let l) = live, case .object(let d) = desired {
            for (k, v) in d { collect(live: l[k], desired: v, at: path.appending(key: k), into: &paths) }
            return
        }
        if !ObjectMatch.contains(live, desired) { paths.append(path) }
    }

    /// Entries of `live`'s `metadata.managedFields` other than `excluded` that own one of `paths`.
    public static func managers(of live: Value, owning paths: [FieldPath], excluding excluded: Set<String> = [Rule.legacyFieldManager]) -> [Manager] {
        var out: [Manager] = []
        for entry in live["metadata"]?["managedFields"]?.arrayValue ?? [] {
            guard let name = entry["manager"]?.stringValue, !excluded.contains(name), let fields = entry["fieldsV1"] else { continue }
            let manager = Manager(name: name, operation: entry["operation"]?.stringValue ?? "")
            if !out.contains(manager), paths.contains(where: { owns(fields, $0) }) { out.append(manager) }
        }
        return out
    }

    /// Whether a `fieldsV1` set owns `path`: it has the path's node (with or without children: a
    /// manager owning an item below a map or list is changing it too), or a leaf above it (an
    /// atomic field: it owns everything below). Keys are `f:<name>`; list items (`k:`, `v:`, `i:`)
    /// are only ever below a reported path, since drift stops at arrays.
    static func owns(_ fields: Value, _ path: FieldPath) -> Bool {
        var node = fields
        for (depth, component) in path.components.enumerated() {
            guard case .object(let children) = node else { return false }
            // A leaf above the path (`{}`, or only `.`): an atomic field, owned as a whole.
            if depth > 0 && children.keys.allSatisfy({ $0 == "." }) { return true }
            guard case .key(let k) = component, let next = children["f:" + k] else { return false }
            node = next
        }
        return true
    }
}

extension Drift {
    /// The form `tend plan --output json` shows: `{"paths": ["data.x"], "managers": [{"manager": "rival", "operation": "Update"}]}`.
    public var json: Value {
        [
            "paths": .array(paths.map { .string($0.description) }),
            "managers": .array(managers.map { ["manager": .string($0.name), "operation": .string($0.operation)] }),
        ]
    }
}
