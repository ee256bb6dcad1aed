internal import Foundation

/// cel-go's `math` extension: `math.greatest(...)`, `math.least(...)` (numbers, or one list of
/// numbers), `math.ceil`, `math.floor`, `math.round` (ties away from zero), `math.trunc`,
/// `math.abs`, `math.sign`, `math.sqrt`, `math.isInf`, `math.isNaN`, `math.isFinite`, and the bit
/// operations `math.bitOr`, `bitAnd`, `bitXor`, `bitNot`, `bitShiftLeft`, `bitShiftRight` (a
/// logical shift; 64 or more gives 0; a negative shift is an error).
extension FunctionTable {
    mutating func addMath() {
        for (name, greatest) in [("math.greatest", true), ("math.least", false)] {
            addVariadic(name, global: true, arities: 1...16) { (args: [CELValue]) throws(CELError) -> CELValue in
                var values = args
                if args.count == 1, case .list(let l) = args[0] {
                    guard !l.isEmpty else { throw CELError("\(name)(list) argument must not be empty") }
                    values = Array(l)
                }
                var best: CELValue?
                for v in values {
                    guard Ops.isNumber(v) else { throw CELError("\(name): no such overload for '\(v.celType.name)'") }
                    guard let b = best else { best = v; continue }
                    guard let c = Ops.compareNumbers(v, b) else {
                        if case .double(let d) = v, d.isNaN { best = v }
                        continue
                    }
                    if greatest ? c > 0 : c < 0 { best = v }
                }
                return best!
            }
        }
        let rounding: [(String, @Sendable (Double) -> Double)] = [
            ("math.ceil", { $0.rounded(.up) }), ("math.floor", { $0.rounded(.down) }),
            ("math.round", { $0.rounded(.toNearestOrAwayFromZero) }), ("math.trunc", { $0.rounded(.towardZero) }),
        ]
        for (name, f) in rounding {
            add(name, global: true) { (v: CELValue) throws(CELError) -> CELValue in
                guard case .double(let d) = v else { throw .noOverload(name, v) }
                return .double(f(d))
            }
        }
        add("math.abs", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .int(let i):
                guard i != .min else { throw CELError("integer overflow") }
                return .int(abs(i))
            case .uint: return v
            case .double(let d): return .double(abs(d))
            default: throw .noOverload("math.abs", v)
            }
        }
        add("math.sign", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .int(let i): return .int(i.signum())
            case .uint(let u): return .uint(u == 0 ? 0 : 1)
            case .double(let d): return .double(d.isNaN ? d : d > 0 ? 1 : d < 0 ? -1 : 0)
            default: throw .noOverload("math.sign", v)
            }
        }
        add("math.sqrt", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .int(let i): return .double(Double(i).squareRoot())
            case .uint(let u): return .double(Double(u).squareRoot())
            case .double(let d): return .double(d.squareRoot())
            default: throw .noOverload("math.sqrt", v)
            }
        }
        let tests: [(String, @Sendable (Double) -> Bool)] = [
            ("math.isInf", { $0.isInfinite }), ("math.isNaN", { $0.isNaN }), ("math.isFinite", { $0.isFinite }),
        ]
        for (name, f) in tests {
            add(name, global: true) { (v: CELValue) throws(CELError) -> CELValue in
                guard case .double(let d) = v else { throw .noOverload(name, v) }
                return .bool(f(d))
            }
        }
        let bitOps: [(String, @Sendable (UInt64, UInt64) -> UInt64)] = [
            ("math.bitOr", { $0 | $1 }), ("math.bitAnd", { $0 & $1 }), ("math.bitXor", { $0 ^ $1 }),
        ]
        for (name, f) in bitOps {
            add(name, global: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
                switch (a, b) {
                case (.int(let x), .int(let y)): return .int(Int64(bitPattern: f(UInt64(bitPattern: x), UInt64(bitPattern: y))))
                case (.uint(let x), .uint(let y)): return .uint(f(x, y))
                default: throw .noOverload(name, a, b)
                }
            }
        }
        add("math.bitNot", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .int(let i): return .int(~i)
            case .uint(let u): return .uint(~u)
            default: throw .noOverload("math.bitNot", v)
            }
        }
        for (name, left) in [("math.bitShiftLeft", true), ("math.bitShiftRight", false)] {
            add(name, global: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
                guard case .int(let n) = b else { throw .noOverload(name, a, b) }
                guard n >= 0 else { throw CELError("\(name)() negative offset: \(n)") }
                func shift(_ x: UInt64) -> UInt64 { n >= 64 ? 0 : left ? x << UInt64(n) : x >> UInt64(n) }
                switch a {
                case .int(let x): return .int(Int64(bitPattern: shift(UInt64(bitPattern: x))))
                case .uint(let x): return .uint(shift(x))
                default: throw .noOverload(name, a, b)
                }
            }
        }
    }
}
