/// Why a list or watch request failed, as far as the watcher's decisions go.
public struct WatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// 410 Gone / reason `Expired`: the requested resourceVersion or continue token is no longer
        /// available. The watcher relists.
        case expired
        /// Anything else (connection refused or reset, 429, 5xx, decode error): retried after a
        /// backoff from where the watcher was, without relisting.
        case transient
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func expired(_ message: String = "410 Gone") -> WatcherError { WatcherError(.expired, message) }
    public static func transient(_ message: String) -> WatcherError { WatcherError(.transient, message) }

    public var description: String { "\(kind == .expired ? "expired" : "transient"): \(message)" }
}
