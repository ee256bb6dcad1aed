extension Value {
    /// A JSON object that keeps the order in which keys were first inserted.
    ///
    /// Stored as two parallel arrays rather than a hash table: Kubernetes objects are small maps
    /// (a handful of keys per level), where a linear scan beats hashing and the compact layout
    /// halves the memory of a cached object. Lookups in maps of more than a few dozen keys
    /// (a large ConfigMap's `data`) are linear too; measured in docs/performance.md.
    ///
    /// Setting an existing key keeps its position; setting `nil` removes the key.
    public struct Object: Sendable, Hashable, RandomAccessCollection {
        public private(set) var keys: [String]
        public private(set) var values: [Value]

        public init() {
            keys = []
            values = []
        }

        public init(minimumCapacity: Int) {
            keys = []
            values = []
            keys.reserveCapacity(minimumCapacity)
            values.reserveCapacity(minimumCapacity)
        }

        /// Builds an object from key-value pairs; a repeated key keeps its first position and its last value.
        public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
            self.init()
            for (k, v) in pairs { self[k] = v }
        }

        /// Appends without checking for a duplicate key. The caller guarantees `key` is absent.
        package mutating func appendUnchecked(_ key: String, _ value: Value) {
            keys.append(key)
            values.append(value)
        }

        public func index(forKey key: String) -> Int? {
            keys.firstIndex(of: key)
        }

        public subscript(key: String) -> Value? {
            get {
                guard let i = index(forKey: key) else { return nil }
                return values[i]
            }
            set {
                if let i = index(forKey: key) {
                    if let newValue {
                        values[i] = newValue
                    } else {
                        keys.remove(at: i)
                        values.remove(at: i)
                    }
                } else if let newValue {
                    keys.append(key)
                    values.append(newValue)
                }
            }
        }

        @discardableResult
        public mutating func removeValue(forKey key: String) -> Value? {
            guard let i = index(forKey: key) else { return nil }
            keys.remove(at: i)
            return values.remove(at: i)
        }

        /// Sorts the keys in place (byte order of their UTF-8), for canonical output.
        public mutating func sortKeys() {
            let order = keys.indices.sorted { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }
            keys = order.map { keys[$0] }
            values = order.map { values[$0] }
        }

        // MARK: RandomAccessCollection of (key, value)

        public var startIndex: Int { 0 }
        public var endIndex: Int { keys.count }
        public subscript(position: Int) -> (key: String, value: Value) {
            (keys[position], values[position])
        }

        // MARK: Equality ignores key order, as JSON object equality does.

        public static func == (lhs: Object, rhs: Object) -> Bool {
            guard lhs.keys.count == rhs.keys.count else { return false }
            if lhs.keys == rhs.keys { return lhs.values == rhs.values }
            for (i, k) in lhs.keys.enumerated() {
                guard let r = rhs[k], r == lhs.values[i] else { return false }
            }
            return true
        }

        public func hash(into hasher: inout Hasher) {
            // Order-independent: combine per-entry hashes commutatively.
            var acc = 0
            for i in keys.indices {
                var h = Hasher()
                h.combine(keys[i])
                h.combine(values[i])
                acc ^= h.finalize()
            }
            hasher.combine(keys.count)
            hasher.combine(acc)
        }
    }
}
