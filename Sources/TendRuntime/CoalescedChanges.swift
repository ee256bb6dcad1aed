import TendKube
import TendMeta

/// Changes waiting for the handlers, at most one per object: a later change to an object that is
/// still waiting merges into the waiting one, in its place in the queue.
///
/// This bounds the queue by the number of objects, not the number of events, when a handler falls
/// behind (client-go's DeltaFIFO compresses the same way). Merges keep what a handler must learn:
/// added then updated is added (with the newest state); added then deleted is nothing; updated then
/// updated keeps the first old state and the newest new one; updated then deleted is deleted;
/// deleted then added (a recreation) is an update.
struct CoalescedChanges {
    private(set) var changes: [StoreChange?] = []
    private var index: [ObjectKey: Int] = [:]

    /// The waiting changes in order.
    var ordered: [StoreChange] { changes.compactMap { $0 } }
    var count: Int { index.count }

    mutating func append(_ change: StoreChange) {
        let key = change.key
        guard let i = index[key], let earlier = changes[i] else {
            index[key] = changes.count
            changes.append(change)
            return
        }
        if let merged = Self.merge(earlier, change) {
            changes[i] = merged
        } else {
            changes[i] = nil
            index[key] = nil
        }
    }

    mutating func append(contentsOf changes: [StoreChange]) {
        for c in changes { append(c) }
    }

    static func merge(_ a: StoreChange, _ b: StoreChange) -> StoreChange? {
        switch (a, b) {
        case (.added, .updated(_, let new)): .added(new)
        case (.added, .deleted): nil
        case (.updated(let old, _), .updated(_, let new)): .updated(old: old, new: new)
        case (.updated, .deleted(let last)): .deleted(last)
        case (.deleted(let old), .added(let new)): .updated(old: old, new: new)
        default: b
        }
    }
}
