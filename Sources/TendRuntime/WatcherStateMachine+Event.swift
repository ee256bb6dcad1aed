public import TendValue

extension WatcherStateMachine {
    /// One object event of a watch stream, the state machine's input after the I/O layer has
    /// decoded a `TendKube.WatchEvent`. `ERROR` events never become `Event`s: the I/O layer turns
    /// them into ``WatcherStateMachine/Input/watchFailed(_:)`` (410 Gone / `Expired` as
    /// ``WatcherError/Kind/expired``).
    public struct Event: Sendable, Hashable {
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
}
