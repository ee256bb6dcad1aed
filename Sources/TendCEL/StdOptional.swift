/// Optional values (cel-spec's optional types, as cel-go's `OptionalTypes` library offers them):
/// `optional.of(x)`, `optional.none()`, `optional.ofNonZeroValue(x)`, `opt.hasValue()`,
/// `opt.value()`, `opt.orValue(default)`, `opt.or(otherOptional)`, `list.first()`, `list.last()`, the selections `x.?f` and
/// `x[?k]`, and selecting or indexing an optional (`optional.of(m).f`), which stays optional.
///
/// `or` and `orValue` evaluate their argument only when the receiver has no value (see
/// Calls.swift); `optMap` and `optFlatMap` are macros (Macros+Binding.swift).
extension FunctionTable {
    mutating func addOptionals() {
        add("optional.of", global: true) { (v: CELValue) throws(CELError) -> CELValue in .optional(v) }
        add("optional.none", arity: 0, global: true) { (_: [CELValue]) throws(CELError) -> CELValue in .optional(nil) }
        add("optional.ofNonZeroValue", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            .optional(v.isZeroValue ? nil : v)
        }
        add("hasValue", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .optional(let o) = v else { throw .noOverload("hasValue", v) }
            return .bool(o != nil)
        }
        add("value", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .optional(let o) = v else { throw .noOverload("value", v) }
            guard let o else { throw CELError("optional.none() dereference") }
            return o
        }
        add("orValue", member: true) { (v: CELValue, d: CELValue) throws(CELError) -> CELValue in
            guard case .optional(let o) = v else { throw .noOverload("orValue", v, d) }
            return o ?? d
        }
        add("first", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .list(let l) = v else { throw .noOverload("first", v) }
            return .optional(l.first)
        }
        add("last", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .list(let l) = v else { throw .noOverload("last", v) }
            return .optional(l.last)
        }
        add("or", member: true) { (v: CELValue, w: CELValue) throws(CELError) -> CELValue in
            guard case .optional(let o) = v, case .optional = w else { throw .noOverload("or", v, w) }
            return o == nil ? w : v
        }
    }
}

extension CELValue {
    /// Whether this is its type's zero value (`optional.ofNonZeroValue`): `null`, `false`, `0`,
    /// `0u`, `0.0`, `""`, `b""`, an empty list or map, a zero duration, the Unix epoch, an
    /// optional without a value.
    var isZeroValue: Bool {
        switch self {
        case .null: true
        case .bool(let b): !b
        case .int(let i): i == 0
        case .uint(let u): u == 0
        case .double(let d): d == 0
        case .string(let s): s.isEmpty
        case .bytes(let b): b.isEmpty
        case .list(let l): l.isEmpty
        case .map(let m): m.count == 0
        case .duration(let d): d.nanoseconds == 0
        case .timestamp(let t): t.seconds == 0 && t.nanos == 0
        case .optional(let o): o == nil
        case .type, .opaque: false
        }
    }
}

extension Ops {
    /// `v.?field`: an optional of map `v`'s entry `field` (none when absent); on an optional,
    /// the same as ``optionalSelect(_:_:)``.
    static func selectOptionally(_ v: CELValue, _ field: String) throws(CELError) -> CELValue {
        switch v {
        case .optional(let o): return try optionalSelect(o, field)
        case .map(let m): return .optional(m[field: field])
        default: throw CELError("type '\(v.celType.name)' does not support field selection (selecting '\(field)')")
        }
    }

    /// Selecting `field` on an optional: none stays none; a map gives an optional of its entry
    /// (none when absent); any other value has no such key.
    static func optionalSelect(_ o: CELValue?, _ field: String) throws(CELError) -> CELValue {
        guard let o else { return .optional(nil) }
        switch o {
        case .map(let m): return .optional(m[field: field])
        case .optional(let inner): return try optionalSelect(inner, field)
        default: throw .noSuchField(field)
        }
    }

    /// `v[?i]`: an optional of the map entry or list element (none when absent or out of range).
    static func indexOptionally(_ v: CELValue, _ i: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .optional(let o): return try optionalIndex(o, i)
        case .map(let m):
            switch i {
            case .bool, .int, .uint, .string, .double: return .optional(m[i])
            default: throw .noOverload("_[?_]", v, i)
            }
        case .list(let l):
            let n: Int64
            switch i {
            case .int(let x): n = x
            case .uint(let x): n = x > UInt64(Int64.max) ? .max : Int64(x)
            case .double(let d):
                guard let x = Int64(exactly: d) else { return .optional(nil) }
                n = x
            default: throw .noOverload("_[?_]", v, i)
            }
            return .optional(n >= 0 && n < l.count ? l[Int(n)] : nil)
        default: throw .noOverload("_[?_]", v, i)
        }
    }

    /// Indexing an optional: none stays none, otherwise as ``indexOptionally(_:_:)``.
    static func optionalIndex(_ o: CELValue?, _ i: CELValue) throws(CELError) -> CELValue {
        guard let o else { return .optional(nil) }
        return try indexOptionally(o, i)
    }
}
