/// The type the load-time type checker infers for an expression, before any value exists.
///
/// The checker is gradual: `dyn` means "unknown", and anything involving `dyn` is accepted. A
/// known type is a promise about every value the expression can evaluate to *successfully*: an
/// expression of type `int` either fails or yields an `int`, never anything else. Callers declare
/// the types of their variables (``CELEnvironment/declare(_:fields:type:)``); undeclared
/// structure is `dyn`.
public indirect enum CELStaticType: Sendable, Hashable, CustomStringConvertible {
    /// Unknown: any value.
    case dyn
    case null, bool, int, uint, double, string, bytes, timestamp, duration
    /// A type value (`int`, `type(x)`).
    case type
    /// A list whose elements have this type (`list(dyn)`: any list).
    case list(CELStaticType)
    /// A map (`map(dyn, dyn)`: any map).
    case map(key: CELStaticType, value: CELStaticType)
    /// A map with string keys whose fields are known, as a schema describes an object: selecting a
    /// field in `fields` gives its type, any other field `otherFields` (a schema's
    /// `additionalProperties`), or `dyn` when that is nil.
    case object(fields: [String: CELStaticType], otherFields: CELStaticType?)

    /// Any list.
    public static let anyList = CELStaticType.list(.dyn)
    /// Any map.
    public static let anyMap = CELStaticType.map(key: .dyn, value: .dyn)

    /// The runtime type every successful value of this type has; nil for `dyn`. Objects are maps.
    public var kind: CELType? {
        switch self {
        case .dyn: nil
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type
        case .list: .list
        case .map, .object: .map
        }
    }

    /// Whether the type is known (not `dyn`). `list(dyn)` is known: it is a list.
    public var isKnown: Bool { self != .dyn }

    /// The name of the runtime type, as evaluation errors write it (`int`, `list`, `map`, `dyn`).
    var kindName: String { kind?.name ?? "dyn" }

    /// `int`, `list(string)`, `map(string, int)`; an object is `map(string, dyn)`.
    public var description: String {
        switch self {
        case .dyn: "dyn"
        case .list(let e): "list(\(e))"
        case .map(let k, let v): "map(\(k), \(v))"
        case .object: "map(string, dyn)"
        default: kind!.name
        }
    }

    /// The type of what a comprehension variable takes over this type (list elements, map keys);
    /// nil when the type is known and not a list or map.
    var iterationType: CELStaticType? {
        switch self {
        case .dyn: .dyn
        case .list(let e): e
        case .map(let k, _): k
        case .object: .string
        default: nil
        }
    }

    /// The type of field `name` selected on this type (`dyn` when not known); nil when the type is
    /// known and not a map.
    func fieldType(_ name: String) -> CELStaticType? {
        switch self {
        case .dyn: .dyn
        case .map(_, let v): v
        case .object(let fields, let other): fields[name] ?? other ?? .dyn
        default: nil
        }
    }

    /// The type both `a` and `b` belong to: `a` when they are the same, otherwise `dyn` (lists of
    /// different element types are `list(dyn)`).
    static func join(_ a: CELStaticType, _ b: CELStaticType) -> CELStaticType {
        if a == b { return a }
        if case .list(let x) = a, case .list(let y) = b { return .list(join(x, y)) }
        return .dyn
    }

    /// Whether a value of type `argument` may be passed where this (parameter) type is expected.
    func accepts(_ argument: CELStaticType) -> Bool {
        guard let p = kind, let a = argument.kind else { return true }
        if case .list(let pe) = self, case .list(let ae) = argument { return pe.accepts(ae) }
        return p == a
    }
}
