public import TendValue

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
