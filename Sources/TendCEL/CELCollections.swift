public import TendValue

/// A CEL list: either a lazily wrapped JSON array (no conversion until an element is read) or a
/// list of CEL values built by the expression.
///
/// Equality (`==` on this Swift type) is structural, by element and element type; CEL's own `==`
/// (where `1 == 1.0`) is implemented by the interpreter.
public struct CELList: Sendable, Equatable, RandomAccessCollection {
    enum Storage: Sendable {
        case json([Value])
        case native([CELValue])
    }

    var storage: Storage

    public init(json: [Value]) { storage = .json(json) }
    public init(_ elements: [CELValue]) { storage = .native(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .json(let a): a.count
        case .native(let a): a.count
        }
    }

    public subscript(position: Int) -> CELValue {
        switch storage {
        case .json(let a): CELValue(a[position])
        case .native(let a): a[position]
        }
    }

    /// The elements as CEL values (converts JSON storage one level deep).
    public var elements: [CELValue] {
        switch storage {
        case .json(let a): a.map(CELValue.init)
        case .native(let a): a
        }
    }

    public static func == (lhs: CELList, rhs: CELList) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 == $1 }
    }
}

/// A map key: CEL allows `int`, `uint`, `bool` and `string` keys. Numeric keys compare by value
/// (`{1: "a"}[1u]` finds the entry), so an integral key is normalised to one representation.
enum MapKey: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case bigUint(UInt64)  // above Int64.max
    case string(CodePoints)

    /// The key for a lookup; nil for a value that cannot be a map key (lookups then miss).
    init?(lookup v: CELValue) {
        switch v {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .uint(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .bigUint(u)
        case .string(let s): self = .string(CodePoints(s))
        case .double(let d):
            if let i = Int64(exactly: d) { self = .int(i) } else if let u = UInt64(exactly: d) { self = .bigUint(u) } else { return nil }
        default: return nil
        }
    }

    /// Whether `v` is allowed as a key in a map literal.
    static func isValidKeyType(_ v: CELValue) -> Bool {
        switch v {
        case .bool, .int, .uint, .string: true
        default: false
        }
    }
}

/// A string compared and hashed by its code points (UTF-8 bytes), not by Swift's canonical
/// equivalence: map keys `"\u00E9"` and `"e\u0301"` are different keys, as in cel-go.
struct CodePoints: Hashable, Sendable {
    let string: String
    init(_ string: String) { self.string = string }
    static func == (a: CodePoints, b: CodePoints) -> Bool { codePointsEqual(a.string, b.string) }
    func hash(into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for b in string.utf8 { hasher.combine(b) }
    }
}

/// A CEL map: a lazily wrapped JSON object (string keys, key order kept) or a map built by the
/// expression with `int`, `uint`, `bool` or `string` keys.
public struct CELMap: Sendable, Equatable, Sequence {
    enum Storage: Sendable {
        case json(Value.Object)
        case native(NativeMap)
    }

    /// Boxed so a `CELValue` stays small (a map built by an expression is the rare case).
    final class NativeMap: Sendable {
        let keys: [CELValue]
        let values: [CELValue]
        let index: [MapKey: Int]
        init(keys: [CELValue], values: [CELValue], index: [MapKey: Int]) {
            self.keys = keys
            self.values = values
            self.index = index
        }
    }

    var storage: Storage

    public init(json: Value.Object) { storage = .json(json) }

    /// Builds a map; returns nil when a key is repeated or has a type maps do not allow.
    init?(keys: [CELValue], values: [CELValue]) {
        var index = [MapKey: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() {
            guard MapKey.isValidKeyType(k), let mk = MapKey(lookup: k), index[mk] == nil else { return nil }
            index[mk] = i
        }
        storage = .native(NativeMap(keys: keys, values: values, index: index))
    }

    public var count: Int {
        switch storage {
        case .json(let o): o.count
        case .native(let n): n.keys.count
        }
    }

    /// The value at `key`, or nil when absent.
    public subscript(key: CELValue) -> CELValue? {
        switch storage {
        case .json(let o):
            guard case .string(let s) = key, let v = Self.lookup(o, s) else { return nil }
            return CELValue(v)
        case .native(let n):
            guard let mk = MapKey(lookup: key), let i = n.index[mk] else { return nil }
            return n.values[i]
        }
    }

    /// Field selection (`m.name`): the value at string key `name`.
    public subscript(field name: String) -> CELValue? {
        switch storage {
        case .json(let o):
            guard let v = Self.lookup(o, name) else { return nil }
            return CELValue(v)
        case .native(let n):
            guard let i = n.index[.string(CodePoints(name))] else { return nil }
            return n.values[i]
        }
    }

    /// Linear lookup that borrows entries instead of copying each one.
    static func lookup(_ o: Value.Object, _ key: String) -> Value? {
        guard let i = o.entries.firstIndex(where: { codePointsEqual($0.key, key) }) else { return nil }
        return o.entries[i].value
    }

    /// The keys in map order.
    public var keys: [CELValue] {
        switch storage {
        case .json(let o): o.entries.map { .string($0.key) }
        case .native(let n): n.keys
        }
    }

    public func makeIterator() -> AnyIterator<(CELValue, CELValue)> {
        var i = 0
        switch storage {
        case .json(let o):
            return AnyIterator {
                guard i < o.count else { return nil }
                defer { i += 1 }
                let e = o.entries[i]
                return (.string(e.key), CELValue(e.value))
            }
        case .native(let n):
            return AnyIterator {
                guard i < n.keys.count else { return nil }
                defer { i += 1 }
                return (n.keys[i], n.values[i])
            }
        }
    }

    public static func == (lhs: CELMap, rhs: CELMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs {
            guard let r = rhs[k], r == v else { return false }
        }
        return true
    }
}
