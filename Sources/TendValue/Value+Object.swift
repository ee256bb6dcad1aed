extension Value {
    /// A JSON object that keeps the order in which keys were first inserted.
    ///
    /// Stored as one array of entries rather than a hash table: Kubernetes objects are small maps
    /// (a handful of keys per level), where a linear scan beats hashing and the compact layout
    /// halves the memory of a cached object. Lookups in maps of more than a few dozen keys
    /// (a large ConfigMap's `data`) are linear too; measured in docs/performance.md.
    ///
    /// Setting an existing key keeps its position; setting `nil` removes the key.
    public struct Object: Sendable, Hashable, RandomAccessCollection {
        /// One member: a key and its value.
        public struct Entry: Sendable, Hashable {
            public var key: String
            public var value: Value
            public init(key: String, value: Value) {
                self.key = key
                self.value = value
            }
        }

        /// The members in order. One allocation per object: a cached Pod holds about 80 objects.
        public private(set) var entries: [Entry]

        public init() { entries = [] }

        public init(minimumCapacity: Int) {
            entries = []
            entries.reserveCapacity(minimumCapacity)
        }

        /// Builds an object from key-value pairs; a repeated key keeps its first position and its last value.
        public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
            self.init()
            for (k, v) in pairs { self[k] = v }
        }

        /// Takes members whose keys the caller guarantees are distinct.
        package init(uniqueEntries: [Entry]) { entries = uniqueEntries }

        /// The keys in order.
        public var keys: [String] { entries.map(\.key) }
        /// The values in key order.
        public var values: [Value] { entries.map(\.value) }

        /// Appends without checking for a duplicate key. The caller guarantees `key` is absent.
        package mutating func appendUnchecked(_ key: String, _ value: Value) {
            entries.append(Entry(key: key, value: value))
        }

        public func index(forKey key: String) -> Int? {
            entries.firstIndex { $0.key == key }
        }

        public subscript(key: String) -> Value? {
            get {
                for e in entries where e.key == key { return e.value }
                return nil
            }
            set {
                if let i = index(forKey: key) {
                    if let newValue {
                        entries[i].value = newValue
                    } else {
                        entries.remove(at: i)
                    }
                } else if let newValue {
                    entries.append(Entry(key: key, value: newValue))
                }
            }
        }

        @discardableResult
        public mutating func removeValue(forKey key: String) -> Value? {
            guard let i = index(forKey: key) else { return nil }
            return entries.remove(at: i).value
        }

        /// Sorts the keys in place (byte order of their UTF-8), for canonical output.
        public mutating func sortKeys() {
            entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }

        // MARK: RandomAccessCollection of (key, value)

        public var startIndex: Int { 0 }
        public var endIndex: Int { entries.count }
        public subscript(position: Int) -> (key: String, value: Value) {
            let e = entries[position]
            return (e.key, e.value)
        }

        // MARK: Equality ignores key order, as JSON object equality does.

        public static func == (lhs: Object, rhs: Object) -> Bool {
            guard lhs.entries.count == rhs.entries.count else { return false }
            if lhs.entries == rhs.entries { return true }
            for e in lhs.entries {
                guard let r = rhs[e.key], r == e.value else { return false }
            }
            return true
        }

        public func hash(into hasher: inout Hasher) {
            // Order-independent: combine per-entry hashes commutatively.
            var acc = 0
            for e in entries {
                var h = Hasher()
                h.combine(e.key)
                h.combine(e.value)
                acc ^= h.finalize()
            }
            hasher.combine(entries.count)
            hasher.combine(acc)
        }
    }
}
