public import TendValue

/// A resource the API server serves, as discovery describes it.
public struct APIResource: Sendable, Hashable, CustomStringConvertible {
    public var groupVersion: GroupVersion
    /// The plural name used in URLs (`deployments`).
    public var name: String
    public var singularName: String
    public var kind: String
    public var namespaced: Bool
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`.
    public var verbs: Set<String>
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources and their verbs (`status`: [get, patch, update]).
    public var subresources: [String: Set<String>]
    /// Whether this is the group's preferred version.
    public var isPreferredVersion: Bool

    public init(
        groupVersion: GroupVersion, name: String, singularName: String = "", kind: String, namespaced: Bool,
        verbs: Set<String> = ["get", "list", "watch", "create", "update", "patch", "delete"], shortNames: [String] = [],
        categories: [String] = [], subresources: [String: Set<String>] = [:], isPreferredVersion: Bool = true
    ) {
        self.groupVersion = groupVersion
        self.name = name
        self.singularName = singularName.isEmpty ? kind.lowercased() : singularName
        self.kind = kind
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.isPreferredVersion = isPreferredVersion
    }

    public var groupVersionKind: GroupVersionKind { GroupVersionKind(groupVersion: groupVersion, kind: kind) }
    public var groupVersionResource: GroupVersionResource { GroupVersionResource(groupVersion: groupVersion, resource: name) }
    public var hasStatus: Bool { subresources["status"] != nil }
    public func supports(_ verb: String) -> Bool { verbs.contains(verb) }

    public var description: String {
        "\(groupVersionResource) (\(kind), \(namespaced ? "namespaced" : "cluster-scoped"))"
    }
}

/// The REST mapping built from discovery documents: kind ⇄ resource, scope, verbs, subresources.
/// Pure: build it from the documents, query it.
public struct RESTMapping: Sendable {
    public private(set) var resources: [APIResource] = []
    private var byKind: [GroupVersionKind: Int] = [:]
    private var byResource: [GroupVersionResource: Int] = [:]
    /// Group versions the server listed but whose resource list could not be read.
    public var unavailable: Set<GroupVersion> = []

    public init() {}

    /// Builds the mapping from `APIResourceList` documents (`/api/v1`, `/apis/apps/v1`, ...).
    /// - Parameter preferred: the preferred version of each group.
    public init(resourceLists: [Value], preferred: Set<GroupVersion>) {
        for list in resourceLists {
            guard let gvString = list["groupVersion"]?.stringValue, let gv = GroupVersion(apiVersion: gvString) else { continue }
            let entries = list["resources"]?.arrayValue ?? []
            var subresources: [String: [String: Set<String>]] = [:]
            for entry in entries {
                guard let name = entry["name"]?.stringValue else { continue }
                let parts = name.split(separator: "/", maxSplits: 1)
                if parts.count == 2 {
                    subresources[String(parts[0]), default: [:]][String(parts[1])] = Self.verbs(entry)
                }
            }
            for entry in entries {
                guard let name = entry["name"]?.stringValue, !name.contains("/"), let kind = entry["kind"]?.stringValue else { continue }
                let resource = APIResource(
                    groupVersion: gv, name: name, singularName: entry["singularName"]?.stringValue ?? "", kind: kind,
                    namespaced: entry["namespaced"]?.boolValue ?? false, verbs: Self.verbs(entry),
                    shortNames: (entry["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                    categories: (entry["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                    subresources: subresources[name] ?? [:], isPreferredVersion: preferred.contains(gv))
                add(resource)
            }
        }
    }

    private static func verbs(_ entry: Value) -> Set<String> {
        Set((entry["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    mutating func add(_ resource: APIResource) {
        let index = resources.count
        resources.append(resource)
        if byKind[resource.groupVersionKind] == nil { byKind[resource.groupVersionKind] = index }
        if byResource[resource.groupVersionResource] == nil { byResource[resource.groupVersionResource] = index }
    }

    public func resource(for kind: GroupVersionKind) -> APIResource? { byKind[kind].map { resources[$0] } }
    public func resource(for resource: GroupVersionResource) -> APIResource? { byResource[resource].map { resources[$0] } }

    /// Resources matching a name as users type it, best first: `deployments`, `deployment`,
    /// `deploy` (short name), `Deployment` (kind, any case), optionally qualified by group
    /// (`deployments.apps`) or version and group (`deployments.v1.apps`; `pods.v1` for core).
    /// Preferred versions come first, then the core group, then by group name.
    public func resolve(_ name: String) -> [APIResource] {
        let lower = name.lowercased()
        let dot = lower.firstIndex(of: ".")
        let base = dot.map { String(lower[..<$0]) } ?? lower
        let qualifier = dot.map { String(lower[lower.index(after: $0)...]) }
        let matches = resources.filter { r in
            guard r.name == base || r.singularName == base || r.kind.lowercased() == base || r.shortNames.contains(base) else {
                return false
            }
            guard let qualifier else { return true }
            return r.groupVersion.group == qualifier
                || (r.groupVersion.group.isEmpty ? r.groupVersion.version : "\(r.groupVersion.version).\(r.groupVersion.group)") == qualifier
        }
        return matches.sorted { a, b in
            if a.isPreferredVersion != b.isPreferredVersion { return a.isPreferredVersion }
            if a.groupVersion.group.isEmpty != b.groupVersion.group.isEmpty { return a.groupVersion.group.isEmpty }
            if a.groupVersion.group != b.groupVersion.group { return a.groupVersion.group < b.groupVersion.group }
            return false
        }
    }
}
