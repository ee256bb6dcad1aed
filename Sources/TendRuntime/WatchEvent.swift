public import TendValue

/// One event of a Kubernetes watch stream (`{"type": ..., "object": ...}`), after the I/O layer
/// has decoded it. `ERROR` events are not `WatchEvent`s: the I/O layer turns them into
/// ``WatcherStateMachine/Input/watchFailed(_:)`` (410 Gone / `Expired` as ``WatcherError/Kind/expired``).
public struct WatchEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// Carries only `metadata.resourceVersion`: the stream is up to date to that version.
        case bookmark = "BOOKMARK"
    }

    public var kind: Kind
    public var object: Value

    public init(_ kind: Kind, _ object: Value) {
        self.kind = kind
        self.object = object
    }

    /// `object.metadata.resourceVersion`, or nil when absent or empty.
    public var resourceVersion: String? {
        guard let rv = object["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty else { return nil }
        return rv
    }
}

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
