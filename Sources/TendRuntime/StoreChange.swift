public import TendMeta
public import TendValue

/// One change a store write made, for the informer to fan out (enqueue keys, call handlers).
///
/// Changes carry objects as the store keeps them (``CachedObject``): a handler that reads only
/// ``key`` or ``metadata`` decodes nothing; ``object`` decodes the object each time it is read.
public enum StoreChange: Sendable, Hashable {
    case added(CachedObject)
    case updated(old: CachedObject, new: CachedObject)
    /// The last state the store knew. After a relist this is the cached object, whose final
    /// state on the server is unknown (client-go's `DeletedFinalStateUnknown`).
    case deleted(CachedObject)

    /// The object's key (of the new state for updates).
    public var key: ObjectKey { ObjectKey(metadata: cached.metadata) ?? ObjectKey(name: "") }

    /// The object after the change (the last known state for a delete), as the store keeps it.
    public var cached: CachedObject {
        switch self {
        case .added(let v), .updated(_, let v), .deleted(let v): v
        }
    }

    /// `metadata` of ``cached``, decoded already.
    public var metadata: Value { cached.metadata }

    /// The object after the change (the last known state for a delete), decoded.
    public var object: Value { cached.value }
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
