public import TendValue
public import TendHTTP

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

/// The API server's `Status` object (`metav1.Status`), as returned with error responses.
public struct Status: Sendable, Hashable {
    public var code: Int?
    public var reason: String?
    public var message: String?
    public var causes: [Cause] = []
    /// Seconds the client should wait before retrying (`details.retryAfterSeconds`).
    public var retryAfterSeconds: Int?
    /// The full object, for callers that need other fields.
    public var object: Value

    public struct Cause: Sendable, Hashable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }

    /// Decodes a Status object; nil when `value` is not one.
    public init?(_ value: Value) {
        guard value["kind"]?.stringValue == "Status" else { return nil }
        object = value
        code = value["code"]?.intValue.map { Int($0) }
        reason = value["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        message = value["message"]?.stringValue
        retryAfterSeconds = value["details"]?["retryAfterSeconds"]?.intValue.map { Int($0) }
        for c in value["details"]?["causes"]?.arrayValue ?? [] {
            causes.append(Cause(reason: c["reason"]?.stringValue, message: c["message"]?.stringValue, field: c["field"]?.stringValue))
        }
    }

    /// A Status synthesized from an HTTP status code, for error responses whose body is not a Status.
    public init(httpCode: Int, body: String) {
        code = httpCode
        reason = Self.reason(forHTTPCode: httpCode)
        message = body.isEmpty ? nil : String(body.prefix(512))
        object = ["kind": "Status", "code": .int(Int64(httpCode))]
    }

    static func reason(forHTTPCode code: Int) -> String? {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 406: "NotAcceptable"
        case 409: "Conflict"
        case 410: "Expired"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: nil
        }
    }
}
