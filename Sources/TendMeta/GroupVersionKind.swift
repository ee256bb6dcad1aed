/// An API group and version, as written in `apiVersion`: `apps/v1`, or `v1` for the core group.
public struct GroupVersion: Sendable, Hashable, CustomStringConvertible, Codable {
    /// Empty for the core group.
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Parses an `apiVersion` string. Returns nil for an empty string, an empty part, or more than one `/`.
    public init?(apiVersion: String) {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(group: "", version: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(group: String(parts[0]), version: String(parts[1]))
        default:
            return nil
        }
    }

    /// The `apiVersion` form.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { apiVersion }

    /// The URL path prefix serving this group version: `/api/v1` or `/apis/apps/v1`.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
}

/// A kind in a group version: what `apiVersion` + `kind` name in an object.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible, Codable {
    public var groupVersion: GroupVersion
    public var kind: String

    public init(groupVersion: GroupVersion, kind: String) {
        self.groupVersion = groupVersion
        self.kind = kind
    }

    public init?(apiVersion: String, kind: String) {
        guard let gv = GroupVersion(apiVersion: apiVersion), !kind.isEmpty else { return nil }
        self.init(groupVersion: gv, kind: kind)
    }

    public var group: String { groupVersion.group }
    public var version: String { groupVersion.version }
    public var apiVersion: String { groupVersion.apiVersion }
    /// `Deployment.v1.apps`, kubectl's fully qualified form; `ConfigMap.v1` for the core group.
    public var description: String {
        group.isEmpty ? "\(kind).\(version)" : "\(kind).\(version).\(group)"
    }
}

/// A resource in a group version: what a URL path names (`deployments` in `apps/v1`).
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible, Codable {
    public var groupVersion: GroupVersion
    /// The plural resource name, e.g. `deployments`.
    public var resource: String

    public init(groupVersion: GroupVersion, resource: String) {
        self.groupVersion = groupVersion
        self.resource = resource
    }

    public init(group: String, version: String, resource: String) {
        self.init(groupVersion: GroupVersion(group: group, version: version), resource: resource)
    }

    public var group: String { groupVersion.group }
    public var version: String { groupVersion.version }
    /// `deployments.v1.apps`, or `configmaps.v1` for the core group.
    public var description: String {
        group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)"
    }
}
