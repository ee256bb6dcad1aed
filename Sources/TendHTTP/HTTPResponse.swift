/// The HTTP protocol version a response was received with.
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0, http1_1, http2, http3, unknown

    /// Parses the version token of a status line (`HTTP/1.1`, `HTTP/2`, `HTTP/2.0`, ...).
    init(statusLineToken token: String) {
        switch token {
        case "HTTP/1.0": self = .http1_0
        case "HTTP/1.1": self = .http1_1
        case "HTTP/2", "HTTP/2.0": self = .http2
        case "HTTP/3", "HTTP/3.0": self = .http3
        default: self = .unknown
        }
    }

    public var description: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        case .http2: "HTTP/2"
        case .http3: "HTTP/3"
        case .unknown: "HTTP/?"
        }
    }
}

/// Facts about how a transfer went, for tests and diagnostics.
public struct HTTPTransferMetrics: Sendable, Hashable {
    /// New connections this transfer had to open (libcurl's `CURLINFO_NUM_CONNECTS`): 0 when it
    /// reused a connection or was multiplexed onto an existing HTTP/2 connection.
    public var connectionsOpened: Int
    /// Wall time from submission to completion.
    public var duration: Duration

    public init(connectionsOpened: Int, duration: Duration) {
        self.connectionsOpened = connectionsOpened
        self.duration = duration
    }
}

/// A complete, buffered response. Any status, including 4xx and 5xx.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The negotiated protocol version (`.http2` when ALPN chose h2).
    public var httpVersion: HTTPVersion
    public var metrics: HTTPTransferMetrics

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], httpVersion: HTTPVersion, metrics: HTTPTransferMetrics) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.metrics = metrics
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A streaming response: the head has arrived, the body is delivered line by line through
/// ``body`` while the transfer runs.
///
/// Ownership: the transfer lives as long as someone holds ``body`` (or an iterator of it), or
/// until it ends. Dropping every copy, cancelling the iterating task, or calling ``cancel()``
/// aborts the transfer and frees its connection slot promptly.
public struct HTTPStreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var httpVersion: HTTPVersion
    /// The body as lines; iterate it exactly once.
    public var body: HTTPLineStream

    /// Aborts the transfer; pending and future `next()` calls throw ``HTTPError/Code/cancelled``.
    /// Idempotent, callable from any thread.
    public func cancel() { body.cancel() }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
