import Foundation
public import TendKube
public import TendValue

/// A read-only view of the cluster that a reconcile plans against.
///
/// `tend run` backs it with the informer cache (reads never wait on the network, and may be
/// slightly stale); offline `tend plan` and `tend test` back it with objects from files. The planner
/// never writes through it.
public protocol WorldSnapshot: Sendable {
    /// The live object, or nil when it does not exist (or is not cached).
    func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value?
    /// Objects of `kind` in `namespace` (nil: every namespace) whose labels match `labelSelector`
    /// (string form; empty matches all).
    func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value]
    /// Whether `kind` is namespaced; nil when the kind is unknown to the server.
    func isNamespaced(_ kind: GroupVersionKind) -> Bool?
}

/// A snapshot held in memory: for offline planning, tests, and as a reference implementation.
public struct InMemoryWorld: WorldSnapshot {
    private var objects: [GroupVersionKind: [ObjectKey: Value]] = [:]
    /// Kinds known to be cluster-scoped; every other kind is treated as namespaced.
    public var clusterScoped: Set<GroupVersionKind>

    public init(objects: [Value] = [], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped) {
        self.clusterScoped = clusterScoped
        for o in objects { put(o) }
    }

    /// Adds or replaces an object (by kind, namespace and name).
    public mutating func put(_ object: Value) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kindName = object["kind"]?.stringValue,
            let kind = GroupVersionKind(apiVersion: apiVersion, kind: kindName), let key = ObjectKey(of: object)
        else { return }
        objects[kind, default: [:]][key] = object
    }

    public mutating func remove(_ kind: GroupVersionKind, namespace: String, name: String) {
        objects[kind]?[ObjectKey(namespace: namespace, name: name)] = nil
    }

    public var all: [Value] {
        objects.keys.sorted { $0.description < $1.description }.flatMap { kind in
            (objects[kind] ?? [:]).keys.sorted().compactMap { objects[kind]?[$0] }
        }
    }

    public func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? {
        objects[kind]?[ObjectKey(namespace: isNamespaced(kind) == false ? "" : namespace, name: name)]
    }

    public func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value] {
        let selector = LabelMatcher(labelSelector)
        return (objects[kind] ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
            if let namespace, key.namespace != namespace { return nil }
            return selector.matches(value["metadata"]?["labels"]) ? value : nil
        }
    }

    public func isNamespaced(_ kind: GroupVersionKind) -> Bool? { !clusterScoped.contains(kind) }

    /// Built-in cluster-scoped kinds Tend knows without discovery.
    public static let builtinClusterScoped: Set<GroupVersionKind> = [
        GroupVersionKind(apiVersion: "v1", kind: "Namespace")!,
        GroupVersionKind(apiVersion: "v1", kind: "Node")!,
        GroupVersionKind(apiVersion: "v1", kind: "PersistentVolume")!,
        GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole")!,
        GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding")!,
        GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!,
        GroupVersionKind(apiVersion: "storage.k8s.io/v1", kind: "StorageClass")!,
        GroupVersionKind(apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass")!,
        GroupVersionKind(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration")!,
        GroupVersionKind(apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration")!,
    ]
}

/// Matches label maps against a selector in string form (`a=b,c!=d,e in (x,y),!f,g`).
///
/// Terms that do not parse match nothing, so a bad selector never selects everything.
public struct LabelMatcher: Sendable {
    enum Term: Sendable {
        case equals(String, String), notEquals(String, String), isIn(String, Set<String>), notIn(String, Set<String>)
        case exists(String), notExists(String), invalid
    }
    let terms: [Term]

    public init(_ selector: String) {
        var terms: [Term] = []
        var depth = 0
        var current = ""
        var raw: [String] = []
        for c in selector {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                raw.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        raw.append(current)
        for r in raw {
            let t = Substring(r).trimmingCharacters(in: " ")
            if t.isEmpty { continue }
            terms.append(Self.parse(t))
        }
        self.terms = terms
    }

    static func parse(_ t: String) -> Term {
        if t.hasPrefix("!") { return .notExists(String(t.dropFirst()).trimmed) }
        if let r = t.range(of: "!=") { return .notEquals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed) }
        if let r = t.range(of: "==") { return .equals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed) }
        if let r = t.range(of: "=") { return .equals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed) }
        for (word, negate) in [(" notin ", true), (" in ", false)] {
            if let r = t.range(of: word) {
                let key = String(t[..<r.lowerBound]).trimmed
                var rest = String(t[r.upperBound...]).trimmed
                guard rest.hasPrefix("("), rest.hasSuffix(")") else { return .invalid }
                rest = String(rest.dropFirst().dropLast())
                let values = Set(rest.split(separator: ",").map { String($0).trimmed })
                return negate ? .notIn(key, values) : .isIn(key, values)
            }
        }
        return .exists(t)
    }

    public func matches(_ labels: Value?) -> Bool {
        func label(_ k: String) -> String? { labels?[k]?.stringValue }
        for term in terms {
            switch term {
            case .equals(let k, let v): if label(k) != v { return false }
            case .notEquals(let k, let v): if label(k) == v { return false }
            case .isIn(let k, let vs): guard let v = label(k), vs.contains(v) else { return false }
            case .notIn(let k, let vs): if let v = label(k), vs.contains(v) { return false }
            case .exists(let k): if label(k) == nil { return false }
            case .notExists(let k): if label(k) != nil { return false }
            case .invalid: return false
            }
        }
        return true
    }
}

extension String {
    var trimmed: String { Substring(self).trimmingCharacters(in: " ") }
}
