public import TendMeta
public import TendValue
import Synchronization

/// The informer cache for one resource: objects by ``ObjectKey``, with indexes, readable from any
/// thread without waiting on the network.
///
/// Contract:
/// - **Readers never wait for I/O.** Every read takes a mutex for the time of a dictionary lookup
///   (or of collecting a result list). Objects are kept as ``CachedObject``s (metadata decoded, the
///   rest compact JSON): reads that return `Value`s decode the objects they return, outside the
///   lock, and each caller gets its own copy; keys, metadata and selector matching decode nothing.
/// - **Eventually consistent.** The store reflects the watch stream as applied so far; there is no
///   read-your-writes. Objects are what the server sent, passed through ``Configuration/transform``
///   (by default dropping `metadata.managedFields`, about 20 % of a Pod's bytes).
/// - **Indexes are always consistent with the objects**, including after label changes: an update
///   removes the postings computed from the old object before adding the new ones.
/// - **Writes come from one writer** (the reflector driving a ``WatcherStateMachine``): ``upsert(_:)``,
///   ``delete(_:)`` and the staged relist ``beginReplace()`` / ``stage(_:)`` / ``commitReplace()``.
///   Each returns the ``StoreChange``s it made.
///
/// ## Indexes and their cost
/// Built in: namespace, label (`key` and `key=value`) and controller owner UID; plus custom
/// ``IndexFunction``s. An index is a map from index value to the set of keys with that value.
/// Per object this costs one set entry (an ``ObjectKey``: two strings, 32 bytes, ≈45 bytes with
/// hash-table slack) per posting: 1 for the namespace, 2 per label, 1 for a controller owner, plus
/// one per custom index value. Key strings share storage with the object's own strings. A Pod with
/// 4 labels costs ≈10 postings ≈ 450 bytes of index, against ≈4–30 KB for the object itself. Old
/// postings are found by recomputing the index functions on the old object, so nothing else is
/// stored per object.
///
/// Label-selector queries intersect the posting sets of their equality, `in` and exists terms
/// (smallest first) and check only those candidates; only selectors made entirely of negative terms
/// (`!=`, `notin`, `!key`) scan the namespace (or the whole store).
public final class Store: Sendable {
    /// Computes the values under which an object is indexed (client-go `IndexFunc`).
    public typealias IndexFunction = @Sendable (Value) -> [String]

    public struct Configuration: Sendable {
        /// Applied to every object before it is stored.
        public var transform: @Sendable (Value) -> Value = Store.dropManagedFields
        /// Custom indexes by name.
        public var indexers: [String: IndexFunction] = [:]

        public init() {}
    }

    /// The default transform: removes `metadata.managedFields` (server-side-apply bookkeeping the
    /// runtime never reads), leaving the object untouched when it has none.
    @Sendable public static func dropManagedFields(_ object: Value) -> Value {
        guard object["metadata"]?["managedFields"] != nil else { return object }
        var copy = object
        copy["metadata"]?["managedFields"] = nil
        return copy
    }

    struct Storage {
        var objects: [ObjectKey: CachedObject] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        /// Postings by label key, then value: one posting per label of an object. `key exists` is
        /// the union of the key's value sets (a separate exists posting per label was 84 bytes
        /// per label per object at 100,000 objects, a sixth of the cache's overhead).
        var byLabel: [String: [String: Set<ObjectKey>]] = [:]
        var byControllerUID: [String: Set<ObjectKey>] = [:]
        var custom: [String: [String: Set<ObjectKey>]] = [:]
        var staged: [ObjectKey: CachedObject]?
    }

    let configuration: Configuration
    let storage: Mutex<Storage>

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var s = Storage()
        for name in configuration.indexers.keys { s.custom[name] = [:] }
        self.storage = Mutex(s)
    }

    // MARK: Reading

    /// The object with `key`, decoded.
    public func get(_ key: ObjectKey) -> Value? { storage.withLock { $0.objects[key] }?.value }

    /// The object with `key` as the store keeps it (metadata without decoding the rest).
    public func cached(_ key: ObjectKey) -> CachedObject? { storage.withLock { $0.objects[key] } }

    public var count: Int { storage.withLock { $0.objects.count } }

    /// Every object, decoded, in unspecified order.
    public func list() -> [Value] { cachedObjects().map(\.value) }

    /// Every object as the store keeps it, in unspecified order.
    public func cachedObjects() -> [CachedObject] { storage.withLock { Array($0.objects.values) } }

    public func keys() -> [ObjectKey] { storage.withLock { Array($0.objects.keys) } }

    /// The keys of the objects in `namespace` (empty for cluster-scoped objects), in unspecified order.
    public func keys(namespace: String) -> [ObjectKey] { storage.withLock { Array($0.byNamespace[namespace] ?? []) } }

    /// The objects in `namespace` (empty for cluster-scoped objects), decoded, in unspecified order.
    public func list(namespace: String) -> [Value] {
        storage.withLock { s in (s.byNamespace[namespace] ?? []).compactMap { s.objects[$0] } }.map(\.value)
    }

    /// The objects whose labels match `selector`, optionally within one namespace, in unspecified order.
    public func list(matching selector: LabelSelector, namespace: String? = nil) -> [Value] {
        storage.withLock { s -> [CachedObject] in
            var postings: [Set<ObjectKey>] = []
            if let namespace { postings.append(s.byNamespace[namespace] ?? []) }
            for (k, v) in selector.matchLabels { postings.append(s.byLabel[k]?[v] ?? []) }
            for r in selector.matchExpressions {
                switch r.operator {
                case .equals, .in:
                    var union = Set<ObjectKey>()
                    for v in r.values { union.formUnion(s.byLabel[r.key]?[v] ?? []) }
                    postings.append(union)
                case .exists:
                    var union = Set<ObjectKey>()
                    for set in (s.byLabel[r.key] ?? [:]).values { union.formUnion(set) }
                    postings.append(union)
                case .notEquals, .notIn, .doesNotExist:
                    break
                }
            }
            postings.sort { $0.count < $1.count }
            let candidates: any Sequence<ObjectKey>
            if var smallest = postings.first {
                for other in postings.dropFirst() {
                    smallest.formIntersection(other)
                    if smallest.isEmpty { break }
                }
                candidates = smallest
            } else {
                candidates = s.objects.keys
            }
            var result: [CachedObject] = []
            for key in candidates {
                if let object = s.objects[key], selector.matches(labels: object.metadata["labels"]?.objectValue) { result.append(object) }
            }
            return result
        }.map(\.value)
    }

    /// The objects indexed under `value` by the custom index `name`.
    /// - Throws: ``StoreError`` `.unknownIndex` when no index of that name was configured.
    public func list(index name: String, value: String) throws(StoreError) -> [Value] {
        let result = storage.withLock { s -> [CachedObject]? in
            guard let index = s.custom[name] else { return nil }
            return (index[value] ?? []).compactMap { s.objects[$0] }
        }?.map(\.value)
        guard let result else {
            throw StoreError(code: .unknownIndex, message: "no index named \"\(name)\" (configured: \(configuration.indexers.keys.sorted()))")
        }
        return result
    }

    /// The objects whose controller owner reference (`controller: true`) has this UID.
    public func list(controllerUID uid: String) -> [Value] {
        storage.withLock { s in (s.byControllerUID[uid] ?? []).compactMap { s.objects[$0] } }.map(\.value)
    }

    // MARK: Writing

    /// Inserts or replaces an object (watch ADDED/MODIFIED).
    /// - Returns: the change, or nil when the object has no name.
    @discardableResult
    public func upsert(_ object: Value) -> StoreChange? {
        let object = CachedObject(configuration.transform(object))
        guard let key = ObjectKey(metadata: object.metadata) else { return nil }
        return storage.withLock { s in
            let old = s.objects.updateValue(object, forKey: key)
            if let old { unindex(old, key, &s) }
            index(object, key, &s)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        }
    }

    /// Removes an object (watch DELETED).
    /// - Returns: the change, carrying the cached state; nil when the object was not cached.
    @discardableResult
    public func delete(_ object: Value) -> StoreChange? {
        guard let key = ObjectKey(of: object) else { return nil }
        return delete(key: key)
    }

    /// Removes the object with `key`; nil when it was not cached.
    @discardableResult
    public func delete(key: ObjectKey) -> StoreChange? {
        storage.withLock { s in
            guard let old = s.objects.removeValue(forKey: key) else { return nil }
            unindex(old, key, &s)
            return .deleted(old)
        }
    }

    // MARK: Index maintenance (under the lock)

    func index(_ object: CachedObject, _ key: ObjectKey, _ s: inout Storage) {
        s.byNamespace[key.namespace, default: []].insert(key)
        if let labels = Metadata.labels(object) {
            for (k, v) in labels {
                s.byLabel[k, default: [:]][v.stringValue ?? "", default: []].insert(key)
            }
        }
        if let uid = Metadata.controllerUID(object) { s.byControllerUID[uid, default: []].insert(key) }
        if configuration.indexers.isEmpty { return }
        let decoded = object.value
        for (name, f) in configuration.indexers {
            for value in f(decoded) { s.custom[name, default: [:]][value, default: []].insert(key) }
        }
    }

    func unindex(_ object: CachedObject, _ key: ObjectKey, _ s: inout Storage) {
        Self.remove(key, from: &s.byNamespace, at: key.namespace)
        if let labels = Metadata.labels(object) {
            for (k, v) in labels {
                guard let i = s.byLabel.index(forKey: k) else { continue }
                Self.remove(key, from: &s.byLabel.values[i], at: v.stringValue ?? "")
                if s.byLabel.values[i].isEmpty { s.byLabel.remove(at: i) }
            }
        }
        if let uid = Metadata.controllerUID(object) { Self.remove(key, from: &s.byControllerUID, at: uid) }
        if configuration.indexers.isEmpty { return }
        let decoded = object.value
        for (name, f) in configuration.indexers {
            for value in f(decoded) { Self.remove(key, from: &s.custom[name, default: [:]], at: value) }
        }
    }

    /// Removes a posting and drops the set when it becomes empty, so index memory tracks live values.
    private static func remove(_ key: ObjectKey, from index: inout [String: Set<ObjectKey>], at value: String) {
        guard let i = index.index(forKey: value) else { return }
        index.values[i].remove(key)
        if index.values[i].isEmpty { index.remove(at: i) }
    }

    /// Postings held by every index, for tests and memory accounting.
    package var postingCount: Int {
        storage.withLock { s in
            s.byNamespace.values.reduce(0) { $0 + $1.count } + s.byLabel.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
                + s.byControllerUID.values.reduce(0) { $0 + $1.count }
                + s.custom.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
        }
    }
}
