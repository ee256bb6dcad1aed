/// An HTTP method token (`GET`, `POST`, ...). Any token is allowed; the common ones are
/// predefined.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let get: HTTPMethod = "GET"
    public static let head: HTTPMethod = "HEAD"
    public static let post: HTTPMethod = "POST"
    public static let put: HTTPMethod = "PUT"
    public static let patch: HTTPMethod = "PATCH"
    public static let delete: HTTPMethod = "DELETE"
    public static let options: HTTPMethod = "OPTIONS"
}

/// One HTTP request. A value: build it, hand it to ``HTTPClient/execute(_:)`` or
/// ``HTTPClient/stream(_:)``.
///
/// Authentication configured on the client (bearer token, client certificate) is added by the
/// client; an `Authorization` header set here wins over the client's token. Header values are
/// redacted in ``description`` where they carry credentials.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// Per-request override of the client's idle-read timeout.
    public enum IdleTimeout: Sendable, Hashable {
        /// Use ``HTTPClient/Configuration/idleTimeout``.
        case clientDefault
        /// No idle timeout (e.g. a watch on a resource that may stay quiet for long).
        case disabled
        /// Fail with ``HTTPError/Code/idleTimeout`` after this long without a received byte.
        case after(Duration)
    }

    public var method: HTTPMethod
    /// Absolute `http` or `https` URL, already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    /// Request body. When set and no `Content-Type` header is given,
    /// `application/octet-stream` is sent.
    public var body: [UInt8]?
    /// Total time limit for the whole exchange (connect to last byte). nil: the client's
    /// ``HTTPClient/Configuration/requestTimeout`` for ``HTTPClient/execute(_:)``, none for
    /// ``HTTPClient/stream(_:)``.
    public var timeout: Duration?
    public var idleTimeout: IdleTimeout
    /// Ask for a compressed response (`Accept-Encoding: gzip, deflate, ...`); libcurl
    /// decompresses transparently, also for streams.
    public var acceptCompressed: Bool

    public init(
        method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        timeout: Duration? = nil, idleTimeout: IdleTimeout = .clientDefault, acceptCompressed: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.acceptCompressed = acceptCompressed
    }

    /// A `GET` with an optional `Accept` header.
    public static func get(_ url: String, accept: String? = nil) -> HTTPRequest {
        var request = HTTPRequest(url: url)
        if let accept { request.headers["Accept"] = accept }
        return request
    }

    /// A request with a body and its `Content-Type` (`POST` by default).
    public static func withBody(
        _ method: HTTPMethod = .post, _ url: String, body: [UInt8], contentType: String, accept: String? = nil
    ) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url, body: body)
        request.headers["Content-Type"] = contentType
        if let accept { request.headers["Accept"] = accept }
        return request
    }

    public var description: String {
        var s = "\(method) \(URLRedaction.redact(url))"
        if !headers.isEmpty { s += " \(headers)" }
        if let body { s += " body=\(body.count) bytes" }
        return s
    }
}
