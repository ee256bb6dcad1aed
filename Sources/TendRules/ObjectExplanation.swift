public import Foundation
public import TendMeta
public import TendValue

/// Why each rule did or did not act on one object: what `tend explain` prints.
///
/// For every rule: its selection checks (``Rule/Watch/explain(object:namespaceLabels:)``) and,
/// when the rule selects the object, a traced plan of the next reconcile. Live explanations also
/// carry the object's `Ready` condition and its most recent Events.
public struct ObjectExplanation: Sendable {
    /// The object explained, with the kind and version it was read in.
    public var object: ObjectReference
    public var rules: [RuleExplanation]
    /// Facts only a live cluster has; nil offline.
    public var live: LiveFacts?

    public init(object: ObjectReference, rules: [RuleExplanation], live: LiveFacts? = nil) {
        self.object = object
        self.rules = rules
        self.live = live
    }

    /// Whether at least one rule selects the object (`tend explain` exits 0, else 3).
    public var isSelected: Bool { rules.contains(where: \.selected) }

    public struct RuleExplanation: Sendable {
        public var rule: String
        /// Kind first; when the kind differs, that check alone.
        public var checks: [SelectionCheck]
        /// The next reconcile's plan, with its ``PlanTrace``; nil when the rule does not select the object.
        public var plan: ReconcilePlan?

        public init(rule: String, checks: [SelectionCheck], plan: ReconcilePlan?) {
            self.rule = rule
            self.checks = checks
            self.plan = plan
        }

        public var selected: Bool { checks.allSatisfy(\.passed) }
        /// Whether the rule watches the object's kind at all.
        public var watchesKind: Bool { checks.first?.passed ?? false }
    }

    public struct LiveFacts: Sendable {
        /// The object's current `Ready` condition, if it has one.
        public var ready: Value?
        /// The most recent Events about the object, newest first.
        public var events: [Value]

        public init(ready: Value?, events: [Value]) {
            self.ready = ready
            self.events = events
        }
    }

    /// Explains `object` against `rules` in a snapshot of the world (offline: `tend explain --state`).
    /// Plans are exactly what ``Planner`` plans, traced.
    public static func explain(_ object: Value, rules: [Rule], namespaceLabels: Value?, world: some WorldSnapshot, now: Date) -> ObjectExplanation {
        let explained = rules.map { rule in
            let checks = rule.watch.explain(object: object, namespaceLabels: namespaceLabels)
            let selected = checks.allSatisfy(\.passed)
            return RuleExplanation(rule: rule.name, checks: checks, plan: selected ? Planner(rule: rule, trace: true).plan(parent: object, world: world, now: now) : nil)
        }
        return ObjectExplanation(object: reference(of: object), rules: explained)
    }

    /// `Kind.version.group namespace/name` of an object as read.
    public static func reference(of object: Value) -> ObjectReference {
        let kind = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "")
            ?? GroupVersionKind(groupVersion: GroupVersion(group: "", version: ""), kind: object["kind"]?.stringValue ?? "")
        return ObjectReference(kind: kind, key: ObjectKey(of: object) ?? ObjectKey(name: ""))
    }
}

/// Resolves a kind as kubectl users type it (`WebApp`, `webapps`, `webapp.example.com`, `cm`)
/// among known kinds, without discovery: offline, the kinds are those of the state files and the
/// rules. Live, TendKube's `Discovery.resolve(_:)` does this with the server's names (``RESTMapping/resolve(_:)``).
public enum KindResolver {
    /// Short names of common built-in kinds, as kubectl knows them.
    static let shortNames: [String: String] = [
        "cm": "ConfigMap", "svc": "Service", "deploy": "Deployment", "ns": "Namespace", "sa": "ServiceAccount",
        "po": "Pod", "sts": "StatefulSet", "ds": "DaemonSet", "rs": "ReplicaSet", "pvc": "PersistentVolumeClaim",
        "pv": "PersistentVolume", "ing": "Ingress", "cj": "CronJob", "netpol": "NetworkPolicy", "ep": "Endpoints",
    ]

    /// The kinds among `kinds` that `typed` names, best first (no duplicates). `typed` is a kind (any
    /// case), its lowercase plural or singular, or a short name, optionally qualified by group
    /// (`webapps.example.com`) or version and group (`webapps.v1.example.com`; `configmaps.v1` for core).
    public static func resolve(_ typed: String, among kinds: [GroupVersionKind]) -> [GroupVersionKind] {
        let lower = typed.lowercased()
        let dot = lower.firstIndex(of: ".")
        let base = dot.map { String(lower[..<$0]) } ?? lower
        let qualifier = dot.map { String(lower[lower.index(after: $0)...]) }
        var seen: Set<GroupVersionKind> = []
        return kinds.filter { kind in
            let k = kind.kind.lowercased()
            guard k == base || plural(k) == base || shortNames[base]?.lowercased() == k else { return false }
            guard let qualifier else { return true }
            return kind.group.lowercased() == qualifier
                || (kind.group.isEmpty ? kind.version : "\(kind.version).\(kind.group)").lowercased() == qualifier
        }.filter { seen.insert($0).inserted }
    }

    /// The resource name Kubernetes derives from a lowercase kind: `webapps`, `ingresses`, `policies`.
    static func plural(_ kind: String) -> String { RuleCompiler.plural(of: kind) }
}
