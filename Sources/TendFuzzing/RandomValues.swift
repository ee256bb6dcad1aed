public import TendValue

/// Random `Value` trees for round-trip tests (JSON text, the informer store's compact objects):
/// every case, nesting up to a few levels, numbers at the edges of `.int` and `.double`, and
/// strings that need quoting or escaping.
public enum RandomValues {
    /// Strings that parsers and writers treat specially: YAML plain-scalar look-alikes, quotes,
    /// escapes, control characters, non-ASCII.
    public static let trickyStrings = [
        "", " ", "yes", "No", "null", "~", "0x1F", "1e3", "1_000", "-", "- x", "a: b", "#c", "x #c", "é", "😀", "\"q\"",
        "line1\nline2\n", "tab\there", "\u{0}", "\\", "key:", "[a]", "{b}", "*x", "&y", "!t", "%p", "@a", "`b", ".inf", "-.5",
        "2024-01-01", "12:30", "true", "<<", "=", "multi\nline", " lead", "trail ", "a'b", "\u{7F}", "\r\n",
    ]

    /// A random value; containers only up to `depth` 3, so trees stay small.
    public static func value(_ rng: inout some RandomNumberGenerator, depth: Int) -> Value {
        let pick = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0..<63, using: &rng))
        case 3:
            let d = [0.1, -2.5e-9, 1e300, 3.0, 123456.789, Double(Int64.random(in: -1000...1000, using: &rng)) / 7]
            return .double(d[Int.random(in: 0..<d.count, using: &rng)])
        case 4, 5:
            if Bool.random(using: &rng) { return .string(trickyStrings[Int.random(in: 0..<trickyStrings.count, using: &rng)]) }
            let scalars = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
                Character(Unicode.Scalar([0x41, 0x7A, 0x20, 0x3A, 0x22, 0xE9, 0x1F600, 0x0A, 0x5C, 0x2D][Int.random(in: 0..<10, using: &rng)])!)
            }
            return .string(String(scalars))
        case 6: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var o = Value.Object()
            for n in 0..<Int.random(in: 0..<5, using: &rng) {
                let key = Bool.random(using: &rng) ? "k\(n)" : trickyStrings[Int.random(in: 0..<trickyStrings.count, using: &rng)]
                o[key] = value(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }
}
