/// A failed HTTP exchange: the request never produced a complete response.
///
/// Non-2xx statuses are *not* errors at this layer; they arrive as ``HTTPResponse``s.
/// ``url`` is redacted (no user info, secret-looking query values replaced) and no field of
/// this value ever holds a bearer token or key material, so it is safe to log.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; switch on this, not on ``message``.
    public enum Code: Sendable, Hashable {
        /// Name resolution or TCP connect failed.
        case connectFailed
        /// The TLS handshake failed; see ``TLSFailure``.
        case tlsFailed(TLSFailure)
        /// The connect timeout or the request's total timeout elapsed.
        case timedOut
        /// No byte arrived for longer than the idle timeout (a silently dead connection or a
        /// stalled server). Time spent paused because the consumer was slow does not count.
        case idleTimeout
        /// The calling task was cancelled or the stream was dropped or cancelled.
        case cancelled
        /// The client was shut down before or while the request ran.
        case shutdown
        /// The request could not be sent as given (bad URL, bad header, unsupported scheme).
        case invalidRequest
        /// Any other transport failure (connection reset, truncated body, HTTP/2 stream error).
        case transport
    }

    /// Why a TLS handshake failed.
    public enum TLSFailure: Sendable, Hashable {
        /// The server certificate did not verify against the trusted CAs or did not match the
        /// host (or ``HTTPClient/Configuration/tlsServerName``).
        case certificateVerifyFailed
        /// Anything else: bad client certificate or key, unreadable CA file, protocol failure.
        case other
    }

    public var code: Code
    /// libcurl's detailed message (its error buffer) or a message from this module.
    public var message: String
    /// The request method.
    public var method: String
    /// The request URL, redacted.
    public var url: String
    /// The libcurl result code (`CURLcode`), when libcurl reported the failure.
    public var curlCode: Int?

    public init(code: Code, message: String, method: String, url: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.method = method
        self.url = URLRedaction.redact(url)
        self.curlCode = curlCode
    }

    public var description: String {
        var s = "\(method) \(url): \(code.summary)"
        if !message.isEmpty { s += ": \(message)" }
        if let curlCode { s += " (curl \(curlCode))" }
        return s
    }
}

extension HTTPError.Code {
    /// A short human-readable phrase for the code.
    public var summary: String {
        switch self {
        case .connectFailed: "connect failed"
        case .tlsFailed(.certificateVerifyFailed): "TLS certificate verification failed"
        case .tlsFailed(.other): "TLS handshake failed"
        case .timedOut: "timed out"
        case .idleTimeout: "idle timeout (no data received)"
        case .cancelled: "cancelled"
        case .shutdown: "HTTP client shut down"
        case .invalidRequest: "invalid request"
        case .transport: "transport error"
        }
    }
}
