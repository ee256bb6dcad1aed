import TendMeta
import TendRules
import TendValue

/// Watched objects a rule may have something to release for, though its parent cache no longer
/// selects them: objects the parent informer reported deleted (a server-side label or field selector
/// stopped matching sends DELETED, without a `deletionTimestamp`), and owners found through a child
/// whose owner the cache does not hold (after a restart, say).
///
/// The cache forgets such an object, so this remembers its uid by key (to find its children by the
/// `tend.dev/owner-uid` label) and its key by uid (so events of its children still reach it). An
/// entry lives until a reconcile of the key finds nothing left to release, the object gone, or the
/// object selected again; memory follows the objects in transit, not the cluster.
struct Departures: Sendable {
    struct Entry: Sendable, Equatable {
        var uid: String
        /// Whether the object carried Tend's finalizer when last seen (false when unknown).
        var hasFinalizer: Bool
        /// What the release has done so far (children deleted or released), for its one `Released` Event.
        var deleted: [ObjectReference] = []
        var orphaned: [ObjectReference] = []
    }

    private var byKey: [ObjectKey: Entry] = [:]
    private var byUID: [String: ObjectKey] = [:]

    subscript(key: ObjectKey) -> Entry? { byKey[key] }

    func key(forUID uid: String) -> ObjectKey? { byUID[uid] }

    var count: Int { byKey.count }

    /// Remembers `key` (the uid replaces any earlier entry of the key).
    mutating func record(_ key: ObjectKey, uid: String, hasFinalizer: Bool) {
        guard !uid.isEmpty else { return }
        if let old = byKey[key], old.uid != uid { byUID[old.uid] = nil }
        let same = byKey[key]?.uid == uid ? byKey[key] : nil
        byKey[key] = Entry(uid: uid, hasFinalizer: hasFinalizer || same?.hasFinalizer == true, deleted: same?.deleted ?? [], orphaned: same?.orphaned ?? [])
        byUID[uid] = key
    }

    /// Adds what one step of a release did to the entry of `key` (recorded first).
    mutating func released(_ key: ObjectKey, deleted: [ObjectReference], orphaned: [ObjectReference]) {
        byKey[key]?.deleted += deleted
        byKey[key]?.orphaned += orphaned
    }

    mutating func remove(_ key: ObjectKey) {
        if let old = byKey.removeValue(forKey: key) { byUID[old.uid] = nil }
    }
}
