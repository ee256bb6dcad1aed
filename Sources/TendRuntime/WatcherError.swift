/// Why a list or watch request failed, as far as the watcher's decisions go.
public struct WatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// 410 Gone / reason `Expired`: the requested resourceVersion or continue token is no longer
        /// available. The watcher relists.
        case expired
        /// Anything else (connection refused or reset, 429, 502, 503, decode error): retried after a
        /// backoff from where the watcher was, without relisting.
        case transient
        /// The server answered 500 (Internal Server Error) or 504 (Timeout, which is also how an
        /// apiserver lagging behind the one that served the list reports "Too large resource
        /// version"). Retried after a backoff like ``transient``; when such failures keep the watch
        /// down for ``WatcherStateMachine/Configuration/relistAfterInternalErrors``, the watcher
        /// relists instead (client-go `MaxInternalErrorRetryDuration`).
        case internalError
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func expired(_ message: String = "410 Gone") -> WatcherError { WatcherError(.expired, message) }
    public static func transient(_ message: String) -> WatcherError { WatcherError(.transient, message) }
    public static func internalError(_ message: String) -> WatcherError { WatcherError(.internalError, message) }

    /// Whether an HTTP status means ``Kind/internalError``: 500 or 504.
    public static func isInternalError(httpStatus: Int?) -> Bool { httpStatus == 500 || httpStatus == 504 }

    public var description: String {
        switch kind {
        case .expired: "expired: \(message)"
        case .transient: "transient: \(message)"
        case .internalError: "internal error: \(message)"
        }
    }
}
