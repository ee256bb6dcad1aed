/// Type conversions: `int`, `uint`, `double`, `string`, `bytes`, `bool`, `dyn`, `type`.
/// Conversions never lose information silently: out-of-range values are errors.
extension FunctionTable {
    mutating func addConversions() {
        add("int", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .int: return v
            case .uint(let u):
                guard u <= UInt64(Int64.max) else { throw CELError("int overflow converting \(u)u") }
                return .int(Int64(u))
            case .double(let d):
                guard d.isFinite, d > -9223372036854775809.0, d < 9223372036854775808.0 else {
                    throw CELError("int overflow converting \(formatDouble(d))")
                }
                return .int(Int64(d.rounded(.towardZero)))
            case .string(let s):
                guard let i = Int64(s) else { throw CELError("cannot convert \(quoteString(s)) to int") }
                return .int(i)
            case .timestamp(let t): return .int(t.seconds)
            case .duration(let d): return .int(d.nanoseconds)
            default: throw .noOverload("int", v)
            }
        }
        add("uint", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .uint: return v
            case .int(let i):
                guard i >= 0 else { throw CELError("uint overflow converting \(i)") }
                return .uint(UInt64(i))
            case .double(let d):
                guard d.isFinite, d > -1, d < 18446744073709551616.0 else {
                    throw CELError("uint overflow converting \(formatDouble(d))")
                }
                return .uint(UInt64(d.rounded(.towardZero)))
            case .string(let s):
                guard let u = UInt64(s) else { throw CELError("cannot convert \(quoteString(s)) to uint") }
                return .uint(u)
            default: throw .noOverload("uint", v)
            }
        }
        add("double", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .double: return v
            case .int(let i): return .double(Double(i))
            case .uint(let u): return .double(Double(u))
            case .string(let s):
                let special: [String: Double] = ["NaN": .nan, "Infinity": .infinity, "+Infinity": .infinity, "-Infinity": -.infinity, "inf": .infinity, "-inf": -.infinity, "+inf": .infinity]
                if let d = special[s] { return .double(d) }
                guard let d = Double(s), !s.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
                    throw CELError("cannot convert \(quoteString(s)) to double")
                }
                return .double(d)
            default: throw .noOverload("double", v)
            }
        }
        add("string", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .string: return v
            case .int, .uint, .double, .bool, .timestamp, .duration, .type, .opaque: return .string(v.displayString)
            case .bytes(let b):
                guard let s = String(validating: b, as: UTF8.self) else { throw CELError("invalid UTF-8 in bytes, cannot convert to string") }
                return .string(s)
            default: throw .noOverload("string", v)
            }
        }
        add("bytes", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .bytes: return v
            case .string(let s): return .bytes(Array(s.utf8))
            default: throw .noOverload("bytes", v)
            }
        }
        add("bool", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .bool: return v
            case .string(let s):
                switch s {
                case "true", "True", "TRUE", "t", "T", "1": return .bool(true)
                case "false", "False", "FALSE", "f", "F", "0": return .bool(false)
                default: throw CELError("cannot convert \(quoteString(s)) to bool")
                }
            default: throw .noOverload("bool", v)
            }
        }
        add("dyn", global: true) { (v: CELValue) throws(CELError) -> CELValue in v }
        add("type", global: true) { (v: CELValue) throws(CELError) -> CELValue in .type(v.celType) }
    }
}
