public import TendMeta
/// Splits keys between replicas: replica `index` of `shards` reconciles exactly the keys whose
/// stable hash falls in its shard, so the replicas' key sets are disjoint and together cover all keys.
///
/// The hash is 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the UTF-8
/// bytes of the key's string form (`namespace/name`, or `name` when cluster-scoped), reduced modulo
/// `shards`. It is fixed by this definition — not Swift's `Hasher`, which is seeded per process — so
/// every replica, on every platform and run, assigns a key to the same shard. Changing the shard
/// count moves most keys; roll all replicas together.
public struct ShardFilter: Sendable, Hashable {
    public let shards: Int
    public let index: Int

    public init(shards: Int, index: Int) {
        precondition(shards > 0 && (0..<shards).contains(index), "need 0 <= index < shards")
        self.shards = shards
        self.index = index
    }

    /// Whether this replica owns `key`.
    public func owns(_ key: ObjectKey) -> Bool { Self.shard(of: key, shards: shards) == index }

    /// The shard of `key` among `shards`.
    public static func shard(of key: ObjectKey, shards: Int) -> Int {
        Int(fnv1a64(key.description) % UInt64(shards))
    }

    /// 64-bit FNV-1a of the string's UTF-8 bytes.
    public static func fnv1a64(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
