public import TendValue

/// How a list relates to `resourceVersion` (`resourceVersionMatch`, Kubernetes 1.19+).
public enum ResourceVersionMatch: String, Sendable, Hashable {
    /// The list at exactly `resourceVersion` (errors with 410 when it was compacted away).
    case exact = "Exact"
    /// Any state at least as new as `resourceVersion` (the watch cache may answer).
    case notOlderThan = "NotOlderThan"
}

/// Options of a list request.
///
/// `resourceVersion` semantics (as the API server defines them): unset means "most recent",
/// read from etcd (a quorum read); `"0"` means "any", usually served from the watch cache; with
/// ``resourceVersionMatch`` the match is explicit. Pagination: ``limit`` bounds a page, and the
/// next page is requested with the returned ``ObjectList/continueToken`` (pages of one list are
/// a consistent snapshot; an expired token fails with 410, see ``KubeError/isExpired``).
public struct ListOptions: Sendable, Hashable {
    /// Label selector, e.g. `app=web,tier!=db` or `env in (a,b)`.
    public var labelSelector: String?
    /// Field selector, e.g. `metadata.name=web`.
    public var fieldSelector: String?
    /// Maximum items per page; nil: no limit.
    public var limit: Int?
    /// The continue token of the previous page.
    public var continueToken: String?
    public var resourceVersion: String?
    public var resourceVersionMatch: ResourceVersionMatch?
    /// Server-side timeout for the list call.
    public var timeoutSeconds: Int?
    /// Client-side (not sent): decode the items without their `metadata.managedFields`, for a
    /// reader that drops it anyway (the informer cache). See ``TendValue/JSON/ParseOptions``.
    public var skipsManagedFields = false

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: ResourceVersionMatch? = nil, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(String, String)] {
        var q: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { q.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch.rawValue)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// Options of create, update, and of merge and JSON patches.
public struct WriteOptions: Sendable, Hashable {
    /// `dryRun=All`: the server validates and admits the request, returns the result, and stores nothing.
    public var dryRun: Bool
    /// Recorded in `metadata.managedFields` as the manager of the fields written.
    public var fieldManager: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }

    var queryItems: [(String, String)] {
        var q: [(String, String)] = []
        if dryRun { q.append(("dryRun", "All")) }
        if let fieldManager, !fieldManager.isEmpty { q.append(("fieldManager", fieldManager)) }
        return q
    }
}

/// Options of a server-side apply.
public struct ApplyOptions: Sendable, Hashable {
    /// Required: the apply's identity. Fields it set before and omits now are removed.
    public var fieldManager: String
    /// Take ownership of fields another manager owns instead of failing with a conflict.
    public var force: Bool
    public var dryRun: Bool

    public init(fieldManager: String, force: Bool = false, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
    }

    var queryItems: [(String, String)] {
        var q: [(String, String)] = [("fieldManager", fieldManager)]
        if force { q.append(("force", "true")) }
        if dryRun { q.append(("dryRun", "All")) }
        return q
    }
}

/// How dependents of a deleted object are handled.
public enum PropagationPolicy: String, Sendable, Hashable {
    /// Dependents are deleted before the object (it stays with a `foregroundDeletion` finalizer).
    case foreground = "Foreground"
    /// The object goes now; the garbage collector deletes dependents afterwards.
    case background = "Background"
    /// Dependents are kept; their owner references are removed.
    case orphan = "Orphan"
}

/// Options of a delete.
public struct DeleteOptions: Sendable, Hashable {
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this UID (it was not deleted and recreated).
    public var preconditionUID: String?
    /// Delete only if the object is still at this resourceVersion (otherwise: a conflict).
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?
    public var dryRun: Bool

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` body.
    var body: Value {
        var o: Value = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { o["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var p: Value = .emptyObject
            if let preconditionUID { p["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { p["resourceVersion"] = .string(preconditionResourceVersion) }
            o["preconditions"] = p
        }
        if let gracePeriodSeconds { o["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if dryRun { o["dryRun"] = ["All"] }
        return o
    }
}

/// A patch and its type.
public enum Patch: Sendable, Hashable {
    /// JSON merge patch (RFC 7386), `application/merge-patch+json`: objects merge, `null` deletes,
    /// arrays are replaced whole.
    case merge(Value)
    /// JSON patch (RFC 6902), `application/json-patch+json`: a list of operations
    /// (`{"op": "replace", "path": "/data/k", "value": "v"}`). Not idempotent in general, so it is
    /// not retried after an ambiguous failure.
    case json([Value])
    /// Strategic merge patch (built-in kinds only), `application/strategic-merge-patch+json`.
    case strategicMerge(Value)

    var contentType: String {
        switch self {
        case .merge: "application/merge-patch+json"
        case .json: "application/json-patch+json"
        case .strategicMerge: "application/strategic-merge-patch+json"
        }
    }

    var body: [UInt8] {
        switch self {
        case .merge(let v), .strategicMerge(let v): JSON.serializeBytes(v)
        case .json(let ops): JSON.serializeBytes(.array(ops))
        }
    }

    /// Whether applying it twice is the same as once.
    var isIdempotent: Bool {
        if case .json = self { return false }
        return true
    }
}

/// Options of a watch.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version (the resourceVersion of a list, or of the last event seen).
    /// nil: start with synthetic ADDED events for every existing object, then changes.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events, which carry a newer resourceVersion to resume from.
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this long (the caller then resumes from the last
    /// resourceVersion seen). Also bounds the idle timeout.
    public var timeoutSeconds: Int
    /// Extra silence tolerated beyond `timeoutSeconds` before the connection is considered dead.
    public var idleMargin: Duration
    /// Client-side (not sent): decode each event's object without its `metadata.managedFields`, for
    /// a reader that drops it anyway (the informer cache). See ``TendValue/JSON/ParseOptions``.
    public var skipsManagedFields = false

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true, timeoutSeconds: Int = 300, idleMargin: Duration = .seconds(30)
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.idleMargin = idleMargin
    }

    var queryItems: [(String, String)] {
        var q: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { q.append(("allowWatchBookmarks", "true")) }
        q.append(("timeoutSeconds", String(timeoutSeconds)))
        return q
    }
}

/// One page of a list.
public struct ObjectList: Sendable, Hashable {
    /// The items, each with `apiVersion` and `kind` set (the server omits them in lists).
    public var items: [Value]
    /// The list's resourceVersion: watch from here to see every later change.
    public var resourceVersion: String
    /// Set when more pages follow; pass it as ``ListOptions/continueToken``.
    public var continueToken: String?
    /// The server's estimate of the items not yet returned, when it gives one.
    public var remainingItemCount: Int?

    public init(items: [Value], resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}
