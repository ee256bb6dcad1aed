public import TendValue

/// An object as a ``Store`` keeps it: `metadata` decoded, the rest as compact JSON decoded when
/// read.
///
/// Why: a decoded object costs about twice its JSON (every string and every map is a heap
/// allocation with its own header; docs/performance.md measures 2.2 KB for a 1 KB ConfigMap), and
/// the cache holds every watched object for the life of the process. Almost all of the cache's own
/// work reads only metadata: keys, the namespace, label and owner indexes, label selectors, the
/// relist's version check. So metadata stays decoded and the rest costs its JSON bytes; a reader
/// that wants the whole object (``value``) pays one parse, about 1 µs per KB.
///
/// Contract:
/// - ``value`` is exactly the object stored (the same members in the same order, `.int` and
///   `.double` kept apart), every time it is read; two reads return equal, independent values.
/// - Objects that cannot round-trip through JSON exactly (non-finite doubles, nesting deeper than
///   the parser accepts: never the case for what the API server sends) are kept decoded.
/// - Equality and hashing are those of ``value``.
public struct CachedObject: Sendable, Hashable {
    /// `metadata` of the object, decoded (`.null` when it has none).
    public let metadata: Value
    private let rest: Rest

    private enum Rest: Sendable {
        /// The whole object, decoded (not an object, or not representable exactly as JSON).
        case decoded(Value)
        /// The object without `metadata`, as JSON, and the position `metadata` had among its members.
        case json(Bytes, metadataPosition: Int)
    }

    /// Keeps `object` in its compact form when it is an object with a `metadata` member that
    /// round-trips exactly through JSON, decoded otherwise.
    public init(_ object: Value) {
        guard case .object(var members) = object, let position = members.index(forKey: "metadata") else {
            metadata = object["metadata"] ?? .null
            rest = .decoded(object)
            return
        }
        metadata = members.removeValue(forKey: "metadata") ?? .null
        let body = Value.object(members)
        guard Self.roundTrips(body, depth: 1) else {
            rest = .decoded(object)
            return
        }
        rest = .json(Bytes(JSON.serializeBytes(body, options: .exactNumbers)), metadataPosition: position)
    }

    /// The object as it was stored, decoded now.
    public var value: Value {
        switch rest {
        case .decoded(let object):
            return object
        case .json(let body, let position):
            // Our own output, parsed by the parser that accepted it once already: it cannot fail
            // (``roundTrips(_:depth:)`` kept out what would).
            guard case .object(let members)? = try? body.withUnsafeBytes({ buffer throws(JSONError) in try JSON.parse(bytes: buffer) }) else {
                preconditionFailure("a cached object's JSON no longer parses")
            }
            var entries = members.entries
            entries.insert(.init(key: "metadata", value: metadata), at: min(position, entries.count))
            return .object(Value.Object(uniqueEntries: entries))
        }
    }

    /// Heap bytes of the compact part (the JSON), for memory accounting; 0 when kept decoded.
    package var compactBytes: Int {
        if case .json(let body, _) = rest { return body.count }
        return 0
    }

    public static func == (lhs: CachedObject, rhs: CachedObject) -> Bool {
        if case .json(let a, let pa) = lhs.rest, case .json(let b, let pb) = rhs.rest, pa == pb, a == b {
            return lhs.metadata == rhs.metadata
        }
        return lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// Whether `value` parses back from ``JSON/serializeBytes(_:options:)`` with `.exactNumbers` as
    /// the same value: finite doubles only, and no deeper than the parser allows.
    private static func roundTrips(_ value: Value, depth: Int) -> Bool {
        switch value {
        case .double(let d): return d.isFinite
        case .array(let a):
            guard depth < JSON.maximumDepth else { return false }
            for element in a where !roundTrips(element, depth: depth + 1) { return false }
            return true
        case .object(let o):
            guard depth < JSON.maximumDepth else { return false }
            for entry in o.entries where !roundTrips(entry.value, depth: depth + 1) { return false }
            return true
        case .null, .bool, .int, .string: return true
        }
    }
}

extension CachedObject {
    /// Exactly sized immutable bytes: one allocation with no spare capacity (an array built by
    /// appending keeps up to twice what it holds).
    struct Bytes: Sendable, Hashable {
        private let storage: [UInt8]

        init(_ bytes: [UInt8]) {
            storage = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                _ = buffer.initialize(from: bytes)
                count = bytes.count
            }
        }

        var count: Int { storage.count }

        func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
            let result: Result<R, E> = storage.withUnsafeBytes { buffer in Result { () throws(E) -> R in try body(buffer) } }
            return try result.get()
        }
    }
}
