/// A dynamic value: the shape of every Kubernetes object Tend reads, caches, templates and writes.
///
/// `Value` mirrors JSON exactly, with one refinement Kubernetes needs: integers are kept as exact
/// `Int64` (`.int`) and are never confused with floating point (`.double`). Objects keep the order
/// of their keys, so an object read from a file or from the API server is written back in the same
/// order and diffs stay readable.
///
/// `Value` is a value type; copies share storage until one is mutated (copy-on-write through the
/// standard library collections it is built from), so caching and passing objects is cheap.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object(Object)
}

extension Value {
    /// An empty object, `{}`.
    public static var emptyObject: Value { .object(Object()) }

    /// The JSON type name of this value, as used in error messages (`"object"`, `"integer"`, ...).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The value as a `Double` when it is a number of either kind.
    public var doubleValue: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: Object? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Member access on an object; `nil` for a missing key or a non-object.
    public subscript(key: String) -> Value? {
        get {
            guard case .object(let o) = self else { return nil }
            return o[key]
        }
        set {
            guard case .object(var o) = self else { return }
            self = .null  // release the payload so `o` is uniquely referenced
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Element access on an array; `nil` when out of range or not an array.
    public subscript(index: Int) -> Value? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

// Deliberately not ExpressibleByNilLiteral: with it, `nil` in a `Value?` context silently becomes
// `.null` (e.g. `cond ? nil : value`). Write `.null`.
extension Value: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var o = Object(minimumCapacity: elements.count)
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}
