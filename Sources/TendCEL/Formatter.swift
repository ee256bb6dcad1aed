internal import Foundation

/// `"...".format([args])`, as cel-go's strings extension formats (its current, locale-free
/// version): `%s`, `%d`, `%f` / `%.Nf`, `%e` / `%.Ne`, `%x`, `%X`, `%o`, `%b`, `%%`.
///
/// * `%s` writes strings and bytes as they are, numbers and bools as `string()` does, `null`,
///   types by name, timestamps in RFC 3339, durations in seconds (`6347s`), and lists and maps
///   as `[a, 1]` / `{k: v}` with their elements written the same way (map entries ordered by key).
/// * `%f` and `%e` round the double's exact value half to even (`"%.3f".format([1.2345])` is
///   `1.234`: the double is just below 1.2345); ints and uints are accepted.
/// * NaN and the infinities are written `NaN`, `Infinity`, `-Infinity` by `%s`, `%d`, `%f`, `%e`.
/// * `%x`/`%X` accept integers, strings and bytes (each byte in two hex digits); `%b` integers and
///   bools (`1`/`0`); `%o` integers.
enum Formatter {
    static func format(_ f: String, _ args: [CELValue]) throws(CELError) -> String {
        var out = ""
        var it = Array(f.unicodeScalars)[...]
        var argIndex = 0
        func next() throws(CELError) -> CELValue {
            guard argIndex < args.count else { throw CELError("index \(argIndex) out of range") }
            defer { argIndex += 1 }
            return args[argIndex]
        }
        while let c = it.popFirst() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var precision: Int?
            if it.first == "." {
                it = it.dropFirst()
                var digits = ""
                while let d = it.first, d >= "0", d <= "9" { digits.unicodeScalars.append(d); it = it.dropFirst() }
                precision = Int(digits) ?? 0
            }
            guard let verb = it.popFirst() else { throw CELError("could not parse formatting clause: unterminated formatting clause") }
            switch verb {
            case "%": out += "%"
            case "s": out += try string(try next())
            case "d":
                let v = try next()
                switch v {
                case .int(let i): out += String(i)
                case .uint(let u): out += String(u)
                case .double(let d) where !d.isFinite: out += special(d)
                default: throw formatError("decimal clause can only be used on integers, was given \(v.celType.name)")
                }
            case "f", "e":
                let v = try next()
                let d: Double
                switch v {
                case .double(let x): d = x
                case .int(let i): d = Double(i)
                case .uint(let u): d = Double(u)
                default:
                    throw formatError("\(verb == "f" ? "fixed-point" : "scientific") clause can only be used on doubles, was given \(v.celType.name)")
                }
                out += d.isFinite ? String(format: "%.\(precision ?? 6)\(verb)", d) : special(d)
            case "x", "X":
                let v = try next()
                let upper = verb == "X"
                switch v {
                case .int(let i): out += (i < 0 ? "-" : "") + String(i.magnitude, radix: 16, uppercase: upper)
                case .uint(let u): out += String(u, radix: 16, uppercase: upper)
                case .string(let s): out += hex(Array(s.utf8), upper)
                case .bytes(let b): out += hex(b, upper)
                default: throw formatError("only integers, byte buffers, and strings can be formatted as hex, was given \(v.celType.name)")
                }
            case "o":
                let v = try next()
                switch v {
                case .int(let i): out += (i < 0 ? "-" : "") + String(i.magnitude, radix: 8)
                case .uint(let u): out += String(u, radix: 8)
                default: throw formatError("octal clause can only be used on integers, was given \(v.celType.name)")
                }
            case "b":
                let v = try next()
                switch v {
                case .int(let i): out += (i < 0 ? "-" : "") + String(i.magnitude, radix: 2)
                case .uint(let u): out += String(u, radix: 2)
                case .bool(let b): out += b ? "1" : "0"
                default: throw formatError("only integers and bools can be formatted as binary, was given \(v.celType.name)")
                }
            default: throw CELError("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
            }
        }
        return out
    }

    static func formatError(_ message: String) -> CELError { CELError("error during formatting: " + message) }

    static func special(_ d: Double) -> String { d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity" }

    static func hex(_ bytes: [UInt8], _ upper: Bool) -> String {
        bytes.map { String($0, radix: 16, uppercase: upper).leftPad(2) }.joined()
    }

    /// The `%s` form of a value.
    static func string(_ v: CELValue) throws(CELError) -> String {
        switch v {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .double(let d): return d.isFinite ? formatDouble(d) : special(d)
        case .duration(let d): return d.description
        case .list(let l):
            var parts: [String] = []
            for x in l { parts.append(try string(x)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let m):
            var entries: [(String, String)] = []
            for (k, x) in m { entries.append((try string(k), try string(x))) }
            entries.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return "{" + entries.map { "\($0): \($1)" }.joined(separator: ", ") + "}"
        case .optional, .opaque:
            throw formatError("string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given \(v.celType.name)")
        default: return v.displayString
        }
    }
}
