/// String equality in CEL: the same sequence of code points. Swift's `==` also equates canonically
/// equivalent strings (`"é"` written as one code point or as `e` plus a combining accent), which
/// cel-spec's `no_string_normalization` tests reject.
@inline(__always)
func codePointsEqual(_ a: String, _ b: String) -> Bool {
    // Code points equal implies canonically equivalent, so Swift's fast `==` rejects first; only a
    // canonical match is checked byte by byte.
    guard a == b else { return false }
    let x = a.utf8, y = b.utf8
    guard x.count == y.count else { return false }
    let fast = x.withContiguousStorageIfAvailable { p in
        y.withContiguousStorageIfAvailable { q in
            for i in 0..<p.count where p[i] != q[i] { return false }
            return true
        }
    }
    return (fast ?? nil) ?? x.elementsEqual(y)
}

/// CEL's built-in operators: equality, ordering and arithmetic with the spec's semantics
/// (no implicit conversions, overflow and division by zero are errors, heterogeneous numeric
/// equality and ordering).
enum Ops {
    // MARK: Numeric comparison across int, uint and double

    /// Compares two numbers of any numeric type exactly; nil when not both numeric or when NaN.
    static func compareNumbers(_ a: CELValue, _ b: CELValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.uint(let x), .uint(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .uint(let y)):
            if x < 0 { return -1 }
            let ux = UInt64(x)
            return ux < y ? -1 : (ux == y ? 0 : 1)
        case (.uint, .int): return compareNumbers(b, a).map { -$0 }
        case (.int(let x), .double(let y)): return compareIntDouble(x, y)
        case (.double, .int): return compareNumbers(b, a).map { -$0 }
        case (.uint(let x), .double(let y)):
            // As cel-go: beyond the uint64 range the double decides; within it, compare as doubles.
            if y.isNaN { return nil }
            if y < 0 { return 1 }
            if y > 18446744073709551615.0 { return -1 }
            let dx = Double(x)
            return dx < y ? -1 : (dx == y ? 0 : 1)
        case (.double, .uint): return compareNumbers(b, a).map { -$0 }
        default: return nil
        }
    }

    /// An int against a double as cel-go compares them: beyond the int64 range the double
    /// decides; within it, the int is converted to a double (so `9223372036854775807` equals
    /// `9223372036854775808.0`, which is what the int64 maximum becomes as a double).
    static func compareIntDouble(_ x: Int64, _ y: Double) -> Int? {
        if y.isNaN { return nil }
        if y < -9223372036854775808.0 { return 1 }
        if y > 9223372036854775807.0 { return -1 }
        let dx = Double(x)
        return dx < y ? -1 : (dx == y ? 0 : 1)
    }

    static func isNumber(_ v: CELValue) -> Bool {
        switch v {
        case .int, .uint, .double: true
        default: false
        }
    }

    // MARK: Equality

    /// CEL `==`: values of different types are unequal, except numbers, which compare by value.
    static func equals(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return codePointsEqual(x, y)
        case (.int(let x), .int(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.timestamp(let x), .timestamp(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.type(let x), .type(let y)): return x == y
        case (.optional(let x), .optional(let y)):
            guard let x, let y else { return x == nil && y == nil }
            return equals(x, y)
        case (.opaque(let x), .opaque(let y)): return x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count where !equals(x[i], y[i]) { return false }
            return true
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], equals(v, w) else { return false }
            }
            return true
        default:
            if isNumber(a), isNumber(b) { return compareNumbers(a, b) == 0 }
            return false
        }
    }

    // MARK: Ordering

    /// `<`, `<=`, `>`, `>=`: the sign of `a` compared to `b`, or an error when the types have no
    /// ordering. NaN compares as unordered: every ordering operator is then false (nil).
    static func compare(_ a: CELValue, _ b: CELValue, _ op: BinaryOp) throws(CELError) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)):
            // Code point order = UTF-8 byte order.
            if codePointsEqual(x, y) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.bytes(let x), .bytes(let y)):
            if x == y { return 0 }
            return x.lexicographicallyPrecedes(y) ? -1 : 1
        case (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.duration(let x), .duration(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.opaque(.quantity(let x)), .opaque(.quantity(let y))): return x.compare(y)
        default:
            if isNumber(a), isNumber(b) { return compareNumbers(a, b) }
            throw .noOverload(op.functionName, a, b)
        }
    }

    static func relation(_ op: BinaryOp, _ a: CELValue, _ b: CELValue) throws(CELError) -> Bool {
        switch op {
        case .eq: return equals(a, b)
        case .ne: return !equals(a, b)
        case .in: return try contains(b, a)
        default:
            guard let c = try compare(a, b, op) else { return false }
            switch op {
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            default: return c >= 0
            }
        }
    }

    /// `element in container`.
    static func contains(_ container: CELValue, _ element: CELValue) throws(CELError) -> Bool {
        switch container {
        case .list(let l):
            for x in l where equals(x, element) { return true }
            return false
        case .map(let m): return m[element] != nil
        default: throw .noOverload("@in", element, container)
        }
    }

    // MARK: Arithmetic

    static func add(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw .overflow() }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw .overflow("uint") }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
        case (.list(let x), .list(let y)):
            if y.isEmpty { return a }
            if x.isEmpty { return b }
            return .list(CELList(x.elements + y.elements))
        case (.duration(let x), .duration(let y)):
            let (r, o) = x.nanoseconds.addingReportingOverflow(y.nanoseconds)
            if o { throw .overflow("duration") }
            return .duration(CELDuration(nanoseconds: r))
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return .timestamp(try shift(t, d.nanoseconds))
        default: throw .noOverload("_+_", a, b)
        }
    }

    static func shift(_ t: CELTimestamp, _ nanos: Int64) throws(CELError) -> CELTimestamp {
        let secs = nanos / 1_000_000_000
        let ns = nanos % 1_000_000_000
        guard let r = CELTimestamp(seconds: t.seconds + secs, nanos: t.nanos + Int32(ns)) else {
            throw CELError("timestamp out of range")
        }
        return r
    }

    static func subtract(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw .overflow() }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw .overflow("uint") }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.duration(let x), .duration(let y)):
            let (r, o) = x.nanoseconds.subtractingReportingOverflow(y.nanoseconds)
            if o { throw .overflow("duration") }
            return .duration(CELDuration(nanoseconds: r))
        case (.timestamp(let t), .duration(let d)):
            guard d.nanoseconds != Int64.min else { throw .overflow("duration") }
            return .timestamp(try shift(t, -d.nanoseconds))
        case (.timestamp(let x), .timestamp(let y)):
            let (s, o1) = (x.seconds - y.seconds).multipliedReportingOverflow(by: 1_000_000_000)
            let (r, o2) = s.addingReportingOverflow(Int64(x.nanos) - Int64(y.nanos))
            if o1 || o2 { throw .overflow("duration") }
            return .duration(CELDuration(nanoseconds: r))
        default: throw .noOverload("_-_", a, b)
        }
    }

    static func multiply(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw .overflow() }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw .overflow("uint") }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x * y)
        default: throw .noOverload("_*_", a, b)
        }
    }

    static func divide(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { throw .divisionByZero }
            if x == .min, y == -1 { throw .overflow() }
            return .int(x / y)
        case (.uint(let x), .uint(let y)):
            if y == 0 { throw .divisionByZero }
            return .uint(x / y)
        case (.double(let x), .double(let y)): return .double(x / y)
        default: throw .noOverload("_/_", a, b)
        }
    }

    static func modulo(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if y == 0 { throw .moduloByZero }
            if x == .min, y == -1 { throw .overflow() }
            return .int(x % y)
        case (.uint(let x), .uint(let y)):
            if y == 0 { throw .moduloByZero }
            return .uint(x % y)
        default: throw .noOverload("_%_", a, b)
        }
    }

    static func arithmetic(_ op: BinaryOp, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch op {
        case .add: try add(a, b)
        case .sub: try subtract(a, b)
        case .mul: try multiply(a, b)
        case .div: try divide(a, b)
        default: try modulo(a, b)
        }
    }

    static func negate(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case .int(let x):
            if x == .min { throw .overflow() }
            return .int(-x)
        case .double(let x): return .double(-x)
        case .duration(let d):
            if d.nanoseconds == .min { throw .overflow("duration") }
            return .duration(CELDuration(nanoseconds: -d.nanoseconds))
        default: throw .noOverload("-_", a)
        }
    }

    static func not(_ a: CELValue) throws(CELError) -> CELValue {
        guard case .bool(let b) = a else { throw .noOverload("!_", a) }
        return .bool(!b)
    }

    // MARK: Selection and indexing

    static func select(_ v: CELValue, _ field: String) throws(CELError) -> CELValue {
        if case .optional(let o) = v { return try optionalSelect(o, field) }
        guard case .map(let m) = v else {
            throw CELError("type '\(v.celType.name)' does not support field selection (selecting '\(field)')")
        }
        guard let r = m[field: field] else { throw .noSuchField(field) }
        return r
    }

    static func has(_ v: CELValue, _ field: String) throws(CELError) -> Bool {
        if case .optional(let o) = v {
            guard let o else { return false }
            return try has(o, field)
        }
        guard case .map(let m) = v else {
            throw CELError("has() requires a map, got '\(v.celType.name)' (testing '\(field)')")
        }
        return m[field: field] != nil
    }

    static func index(_ v: CELValue, _ i: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .optional(let o): return try optionalIndex(o, i)
        case .list(let l):
            let n: Int64
            switch i {
            case .int(let x): n = x
            case .uint(let x): n = x > UInt64(Int64.max) ? .max : Int64(x)
            case .double(let d):
                guard let x = Int64(exactly: d) else { throw CELError("invalid list index: \(formatDouble(d))") }
                n = x
            default: throw .noOverload("_[_]", v, i)
            }
            guard n >= 0, n < l.count else { throw CELError("index out of range: \(n) (list size \(l.count))", isAbsentValue: true) }
            return l[Int(n)]
        case .map(let m):
            if let r = m[i] { return r }
            switch i {
            case .bool, .int, .uint, .string, .double: throw .noSuchKey(i)
            default: throw .noOverload("_[_]", v, i)
            }
        default: throw .noOverload("_[_]", v, i)
        }
    }
}
