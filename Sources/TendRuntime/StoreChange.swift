public import TendMeta
public import TendValue

/// One change a store write made, for the informer to fan out (enqueue keys, call handlers).
public enum StoreChange: Sendable, Hashable {
    case added(Value)
    case updated(old: Value, new: Value)
    /// The last state the store knew. After a relist this is the cached object, whose final
    /// state on the server is unknown (client-go's `DeletedFinalStateUnknown`).
    case deleted(Value)

    /// The object's key (of the new state for updates).
    public var key: ObjectKey {
        switch self {
        case .added(let v), .updated(_, let v), .deleted(let v): ObjectKey(v) ?? ObjectKey(name: "")
        }
    }

    /// The object after the change (the last known state for a delete).
    public var object: Value {
        switch self {
        case .added(let v), .updated(_, let v), .deleted(let v): v
        }
    }
}

/// A store operation that could not be performed.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case unknownIndex
        case noReplaceInProgress
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}
