import TendValue
public import TendHTTP
public import TendMeta

/// A request to the API server failed.
///
/// Names the request (verb, resource, namespace/name) and keeps what the server said: the
/// `Status` object of a 4xx/5xx response, with its reason, code, message and causes. Use the
/// predicates (``isNotFound``, ``isConflict``, ...) rather than matching messages.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The server answered with an error status; see ``status``.
        case api
        /// The request never got an answer: connection, TLS, timeout; see ``transport``.
        case transport
        /// The response could not be decoded.
        case decoding
        /// The server does not serve the requested kind or resource (discovery found nothing).
        case unknownResource
        /// Authentication could not be set up (token file unreadable, exec plugin failed).
        case credentials
        /// A watch ended with `410 Gone`: the requested resourceVersion is too old. Relist.
        case expired
        /// The request was cancelled by the caller.
        case cancelled
        /// The request is invalid before it is sent (missing name, bad selector).
        case invalidRequest
    }

    public var code: Code
    /// What was being done: `get configmaps team-a/web`.
    public var request: RequestDescription
    /// The API server's Status, for ``Code/api`` and ``Code/expired``.
    public var status: Status?
    /// The transport failure, for ``Code/transport`` and ``Code/cancelled``.
    public var transport: HTTPError?
    public var message: String

    public init(_ code: Code, request: RequestDescription, message: String, status: Status? = nil, transport: HTTPError? = nil) {
        self.code = code
        self.request = request
        self.message = message
        self.status = status
        self.transport = transport
    }

    /// The HTTP status code, when the server answered.
    public var httpStatus: Int? { status?.code }
    public var reason: String? { status?.reason }

    public var isNotFound: Bool { status?.code == 404 || status?.reason == "NotFound" }
    public var isAlreadyExists: Bool { status?.reason == "AlreadyExists" }
    /// An update with a stale resourceVersion, or a server-side apply field conflict.
    public var isConflict: Bool { status?.code == 409 && status?.reason != "AlreadyExists" }
    public var isInvalid: Bool { status?.code == 422 || status?.reason == "Invalid" }
    public var isForbidden: Bool { status?.code == 403 }
    public var isUnauthorized: Bool { status?.code == 401 }
    public var isExpired: Bool { code == .expired || status?.code == 410 || status?.reason == "Expired" || status?.reason == "Gone" }
    public var isTooManyRequests: Bool { status?.code == 429 }

    public var description: String {
        var out = "\(request): \(message)"
        if let status {
            if let reason = status.reason { out += " (\(reason)" + (status.code.map { ", \($0)" } ?? "") + ")" }
            for cause in status.causes {
                out += "\n  - \(cause.field.map { "\($0): " } ?? "")\(cause.message ?? cause.reason ?? "")"
            }
        }
        return out
    }
}

/// What a request did, for errors and logs. Never includes credentials or request bodies.
public struct RequestDescription: Sendable, Hashable, CustomStringConvertible {
    /// Kubernetes verb: get, list, watch, create, update, patch, apply, delete.
    public var verb: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String?

    public init(verb: String, resource: String, subresource: String? = nil, namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    public var description: String {
        var out = "\(verb) \(resource)"
        if let subresource { out += "/\(subresource)" }
        switch (namespace, name) {
        case (let ns?, let n?) where !ns.isEmpty: out += " \(ns)/\(n)"
        case (_, let n?): out += " \(n)"
        case (let ns?, nil) where !ns.isEmpty: out += " in namespace \(ns)"
        default: break
        }
        return out
    }
}
