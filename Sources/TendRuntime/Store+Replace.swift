import TendMeta
public import TendValue
import Synchronization

extension Store {
    /// Starts a relist: following ``stage(_:)`` calls collect the new contents page by page while
    /// readers keep seeing the old contents; ``commitReplace()`` swaps them in one step.
    ///
    /// Memory: a staged object whose `resourceVersion` equals the cached one is not kept — the
    /// cached value is reused — so a relist of an unchanged cache costs one dictionary of keys,
    /// not a second copy of every object (target: peak ≤ 1.3× steady state). Calling
    /// `beginReplace` while a replace is in progress discards the earlier staging.
    public func beginReplace() {
        storage.withLock { $0.staged = [:] }
    }

    /// Adds one page of the relist to the staging area (after the transform).
    /// - Throws: ``StoreError`` `.noReplaceInProgress` without a preceding ``beginReplace()``.
    public func stage(_ objects: some Sequence<Value>) throws(StoreError) {
        let transformed = objects.map { CachedObject(configuration.transform($0)) }
        let ok = storage.withLock { s -> Bool in
            guard s.staged != nil else { return false }
            for object in transformed {
                guard let key = ObjectKey(metadata: object.metadata) else { continue }
                if let old = s.objects[key], Self.sameVersion(old, object) {
                    s.staged![key] = old  // share the cached value; drop the duplicate
                } else {
                    s.staged![key] = object
                }
            }
            return true
        }
        if !ok { throw StoreError(code: .noReplaceInProgress, message: "stage(_:) called without beginReplace()") }
    }

    /// Replaces the contents with the staged objects atomically and returns the delta:
    /// `.deleted` for cached objects absent from the relist, `.added` for new ones, `.updated` for
    /// those whose `resourceVersion` changed (or, without one, whose content changed). Objects that
    /// did not change produce no change, so a relist causes no spurious reconciles. Deletes come
    /// first, then additions and updates, each sorted by key.
    /// - Throws: ``StoreError`` `.noReplaceInProgress` without a preceding ``beginReplace()``.
    public func commitReplace() throws(StoreError) -> [StoreChange] {
        let result = storage.withLock { s -> [StoreChange]? in
            guard let staged = s.staged else { return nil }
            s.staged = nil
            var deleted: [(ObjectKey, CachedObject)] = []
            for (key, old) in s.objects where staged[key] == nil { deleted.append((key, old)) }
            var changed: [(ObjectKey, StoreChange)] = []
            for (key, new) in staged {
                if let old = s.objects[key] {
                    if !Self.sameVersion(old, new) { changed.append((key, .updated(old: old, new: new))) }
                } else {
                    changed.append((key, .added(new)))
                }
            }
            deleted.sort { $0.0 < $1.0 }
            changed.sort { $0.0 < $1.0 }
            for (key, old) in deleted {
                s.objects[key] = nil
                unindex(old, key, &s)
            }
            for (key, change) in changed {
                if case .updated(let old, _) = change { unindex(old, key, &s) }
                s.objects[key] = change.cached
                index(change.cached, key, &s)
            }
            return deleted.map { .deleted($0.1) } + changed.map(\.1)
        }
        guard let result else {
            throw StoreError(code: .noReplaceInProgress, message: "commitReplace() called without beginReplace()")
        }
        return result
    }

    /// Discards the staging area (the relist failed); the cache keeps its old contents.
    public func abortReplace() {
        storage.withLock { $0.staged = nil }
    }

    /// True while a replace is staged and not yet committed or aborted.
    public var isReplacing: Bool { storage.withLock { $0.staged != nil } }

    static func sameVersion(_ a: CachedObject, _ b: CachedObject) -> Bool {
        if let ra = Metadata.resourceVersion(a), let rb = Metadata.resourceVersion(b), !ra.isEmpty { return ra == rb }
        return a == b
    }
}
