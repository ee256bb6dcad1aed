import TendRuntime
import TendValue

/// Changes built from decoded objects, as the tests write them.
extension StoreChange {
    static func added(_ object: Value) -> StoreChange { .added(CachedObject(object)) }
    static func updated(old: Value, new: Value) -> StoreChange { .updated(old: CachedObject(old), new: CachedObject(new)) }
    static func deleted(_ object: Value) -> StoreChange { .deleted(CachedObject(object)) }
}
