import TendMeta
import TendValue

/// One write a reconcile in shadow mode (`tend run --dry-run`) sent as a server-side dry run.
///
/// Pure data; its ``description`` is the log line (`would create ConfigMap.v1 ns/x`,
/// `would update Deployment.v1.apps ns/web (fields: spec.replicas)`). ``ShadowReport`` compares
/// writes by ``identity``.
struct ShadowWrite: Sendable, Hashable, CustomStringConvertible {
    /// The `operation` label of `tend_shadow_writes_total`.
    enum Operation: String, Sendable, Hashable, CaseIterable {
        case create, update, delete, orphan, patch, finalizer, status
    }

    enum Verdict: Sendable, Hashable {
        /// The server accepted the dry run: the write would be made.
        case accepted(Operation)
        /// The server (or Tend's own check, e.g. a name taken by an object Tend does not manage)
        /// refused it; the message says why.
        case rejected(String)
        /// The reconcile has a problem that is not a write (a template error): it would fail.
        case problem(String)
    }

    var verdict: Verdict
    /// What is written: `ConfigMap.v1 ns/x`.
    var target: String
    /// The fields an update or a patch changes, when known.
    var fields: [String] = []
    /// What is written, when it is stable from one reconcile to the next (a child's desired object,
    /// the parent's patch; not a status, whose condition times move): a create of other content is
    /// another write, although its line reads the same.
    var content: Value? = nil

    var description: String {
        switch verdict {
        case .accepted(let operation):
            let suffix = fields.isEmpty ? "" : " (fields: \(fields.joined(separator: ", ")))"
            switch operation {
            case .create: return "would create \(target)"
            case .update: return "would update \(target)\(suffix)"
            case .delete: return "would delete \(target)"
            case .orphan: return "would release (orphan) \(target)"
            case .patch: return "would patch \(target)\(suffix)"
            case .finalizer: return "would remove the finalizer of \(target)"
            case .status: return "would write status of \(target)\(suffix)"
            }
        case .rejected(let message): return "dry run rejected: \(message)"
        case .problem(let message): return "would fail: \(message)"
        }
    }

    /// What makes two writes the same write: verdict, target and content; the changed fields
    /// only when there is no stable content (a status). The fields of a write with content depend on
    /// the live object too (an unrelated annotation turns `metadata.annotations` into
    /// `metadata.annotations["inventory..."]`) while the write stays the same.
    var identity: [AnyHashable] {
        [AnyHashable(verdict), AnyHashable(target), content.map { AnyHashable($0) } ?? AnyHashable(fields)]
    }

    /// Whether this is logged as a warning rather than at info level.
    var isWarning: Bool {
        if case .accepted = verdict { return false }
        return true
    }
}

/// Which objects' planned writes shadow mode has logged, so a log line appears when an object's
/// planned writes change, not at every reconcile (nothing is persisted in shadow mode, so every
/// reconcile of an object plans the same writes again).
///
/// Keeps, per watched object, a fingerprint of the writes last logged. ``changed(_:writes:)``
/// says whether `writes` differ from it (and remembers them). An object with no planned writes is
/// forgotten, so writes that come back are logged again; ``forget(_:)`` drops a deleted object.
/// Bounded: beyond ``capacity`` objects, the least recently reported tenth is forgotten (they are
/// logged again at their next reconcile). Not thread-safe: the caller holds it under a lock.
struct ShadowReport: Sendable {
    let capacity: Int
    private var entries: [ObjectReference: (fingerprint: Int, tick: UInt64)] = [:]
    private var tick: UInt64 = 0

    init(capacity: Int = 10_000) {
        self.capacity = max(capacity, 1)
    }

    /// How many objects are remembered.
    var count: Int { entries.count }

    /// Whether `writes` for `object` differ from those last reported (and so should be logged).
    /// Empty `writes` are never logged; they forget the object.
    mutating func changed(_ object: ObjectReference, writes: [ShadowWrite]) -> Bool {
        guard !writes.isEmpty else {
            entries[object] = nil
            return false
        }
        tick += 1
        let fingerprint = Self.fingerprint(writes)
        let previous = entries[object]?.fingerprint
        entries[object] = (fingerprint, tick)
        if entries.count > capacity { evictOldest() }
        return previous != fingerprint
    }

    /// The object was deleted: its next writes (if it comes back) are logged.
    mutating func forget(_ object: ObjectReference) {
        entries[object] = nil
    }

    /// Of the writes' identities (``ShadowWrite/identity``); order-insensitive (children of one
    /// level are written concurrently).
    static func fingerprint(_ writes: [ShadowWrite]) -> Int {
        var hasher = Hasher()
        for write in writes.map({ $0.identity.hashValue }).sorted() { hasher.combine(write) }
        return hasher.finalize()
    }

    private mutating func evictOldest() {
        let drop = max(capacity / 10, entries.count - capacity)
        let oldest = entries.sorted { $0.value.tick < $1.value.tick }.prefix(drop).map(\.key)
        for key in oldest { entries[key] = nil }
    }
}
