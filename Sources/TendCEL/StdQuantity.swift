internal import Foundation

/// A Kubernetes resource quantity (`quantity("500m")`), held exactly as a decimal number of base
/// units with the text it was written as.
public struct CELQuantity: Sendable, Hashable, CustomStringConvertible {
    let value: Decimal
    /// The text it was parsed from, or nil for the result of `add`/`sub` (then written as a
    /// plain decimal number).
    let text: String?

    init(value: Decimal, text: String? = nil) {
        self.value = value
        self.text = text
    }

    /// Parses the Kubernetes quantity syntax: an optional sign, a decimal number, and a binary
    /// suffix (`Ki Mi Gi Ti Pi Ei`), a decimal suffix (`n u m k M G T P E`) or a decimal
    /// exponent (`e3`, `E-2`).
    init?(_ s: String) {
        let suffixes: [(String, Decimal)] = [
            ("Ki", pow(1024, 1)), ("Mi", pow(1024, 2)), ("Gi", pow(1024, 3)), ("Ti", pow(1024, 4)),
            ("Pi", pow(1024, 5)), ("Ei", pow(1024, 6)),
            ("n", Decimal(sign: .plus, exponent: -9, significand: 1)), ("u", Decimal(sign: .plus, exponent: -6, significand: 1)),
            ("m", Decimal(sign: .plus, exponent: -3, significand: 1)), ("k", pow(10, 3)), ("M", pow(10, 6)),
            ("G", pow(10, 9)), ("T", pow(10, 12)), ("P", pow(10, 15)), ("E", pow(10, 18)),
        ]
        var number = Substring(s)
        var scale = Decimal(1)
        if let (suffix, v) = suffixes.first(where: { number.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            scale = v
        } else if let e = number.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let exponent = number[number.index(after: e)...]
            let digits = exponent.first == "+" || exponent.first == "-" ? exponent.dropFirst() : exponent
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let x = Int(exponent), abs(x) < 100 else { return nil }
            scale = Decimal(sign: .plus, exponent: x, significand: 1)
            number = number[..<e]
        }
        let unsigned = number.first == "+" || number.first == "-" ? number.dropFirst() : number
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        guard !unsigned.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              parts.contains(where: { !$0.isEmpty }), let d = Decimal(string: String(number), locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        value = d * scale
        text = s
    }

    public var description: String {
        text ?? NSDecimalNumber(decimal: value).stringValue
    }

    /// Quantities are equal when their values are: `quantity("1") == quantity("1000m")`.
    public static func == (a: CELQuantity, b: CELQuantity) -> Bool { a.value == b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(NSDecimalNumber(decimal: value).stringValue) }
}

/// The Kubernetes quantity library: `quantity(s)`, `isQuantity(s)`, and on a quantity `sign()`,
/// `isInteger()`, `asInteger()`, `asApproximateFloat()`, `add(q | int)`, `sub(q | int)`,
/// `isLessThan(q)`, `isGreaterThan(q)`, `compareTo(q)`. Tend also orders quantities with `<`,
/// `<=`, `>`, `>=` (Operators.swift), as its earlier numeric quantities allowed.
extension FunctionTable {
    mutating func addQuantity() {
        add("quantity", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("quantity", v) }
            guard let q = CELQuantity(s) else { throw CELError("invalid quantity \(quoteString(s))") }
            return .opaque(.quantity(q))
        }
        add("isQuantity", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("isQuantity", v) }
            return .bool(CELQuantity(s) != nil)
        }
        add("sign", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            let q = try quantity("sign", v)
            return .int(q.value == 0 ? 0 : q.value < 0 ? -1 : 1)
        }
        add("isInteger", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            .bool(integer(try quantity("isInteger", v).value) != nil)
        }
        add("asInteger", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard let i = integer(try quantity("asInteger", v).value) else {
                throw CELError("cannot convert value to integer: the quantity is not an integer or does not fit in 64 bits")
            }
            return .int(i)
        }
        add("asApproximateFloat", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            .double(NSDecimalNumber(decimal: try quantity("asApproximateFloat", v).value).doubleValue)
        }
        for (name, negate) in [("add", false), ("sub", true)] {
            add(name, member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
                let q = try quantity(name, a, b)
                let other: Decimal
                switch b {
                case .opaque(.quantity(let r)): other = r.value
                case .int(let i): other = Decimal(i)
                default: throw .noOverload(name, a, b)
                }
                return .opaque(.quantity(CELQuantity(value: negate ? q.value - other : q.value + other)))
            }
        }
        let comparisons: [(String, @Sendable (Int) -> CELValue)] = [
            ("isLessThan", { .bool($0 < 0) }), ("isGreaterThan", { .bool($0 > 0) }), ("compareTo", { .int(Int64($0)) }),
        ]
        for (name, f) in comparisons {
            add(name, member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
                guard case .opaque(.quantity(let x)) = a, case .opaque(.quantity(let y)) = b else { throw .noOverload(name, a, b) }
                return f(x.compare(y))
            }
        }
    }
}

extension CELQuantity {
    /// -1, 0 or 1.
    func compare(_ other: CELQuantity) -> Int { value < other.value ? -1 : value == other.value ? 0 : 1 }
}

private func quantity(_ name: String, _ v: CELValue, _ more: CELValue...) throws(CELError) -> CELQuantity {
    guard case .opaque(.quantity(let q)) = v else {
        throw CELError("no matching overload for '\(name)' applied to (\(([v] + more).map { $0.celType.name }.joined(separator: ", ")))")
    }
    return q
}

/// The value as an `Int64` when it is a whole number in range.
private func integer(_ d: Decimal) -> Int64? {
    var x = d, r = Decimal()
    NSDecimalRound(&r, &x, 0, .plain)
    guard r == d, r >= Decimal(Int64.min), r <= Decimal(Int64.max) else { return nil }
    return Int64(NSDecimalNumber(decimal: r).stringValue)
}
