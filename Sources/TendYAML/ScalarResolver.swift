/// The type of a plain (unquoted) scalar, by the rules of go-yaml v2's `resolve`, which is what
/// kubectl (through sigs.k8s.io/yaml) applies. docs/yaml.md has the table of decisions.
enum ResolvedScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer beyond `Int64.max` that fits `UInt64` (go-yaml returns a `uint64`).
    case uint(UInt64)
    /// A finite or infinite/NaN float (`.inf`, `.nan` come only from the fixed spellings).
    case float(Double)
    /// The scalar is a string: the input unchanged.
    case string
}

enum ScalarResolver {
    /// Resolves a plain scalar as go-yaml v2 does for an untagged node decoded into `interface{}`.
    ///
    /// Timestamps (`2024-01-01`) resolve to strings: go-yaml v2 returns the original text for a
    /// timestamp decoded into `interface{}`, and that is what kubectl sends.
    static func resolvePlain(_ text: String) -> ResolvedScalar {
        let bytes = text.utf8
        guard let first = bytes.first else { return .null }
        let hint: UInt8
        switch first {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): hint = UInt8(ascii: "S")
        case UInt8(ascii: "0")...UInt8(ascii: "9"): hint = UInt8(ascii: "D")
        case UInt8(ascii: "."): hint = UInt8(ascii: ".")
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
            UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"),
            UInt8(ascii: "~"):
            hint = UInt8(ascii: "M")
        default: return .string
        }
        if bytes.count <= 6, let fixed = fixedSpelling(text) { return fixed }
        switch hint {
        case UInt8(ascii: "M"):
            return .string
        case UInt8(ascii: "."):
            // strconv.ParseFloat on the raw text: `.5`, `.5e3`; underscores are not allowed here.
            let raw = Array(bytes)
            if isYAMLStyleFloat(raw[...]), let d = Double(text), d.isFinite { return .float(d) }
            return .string
        default:
            let plain = bytes.filter { $0 != UInt8(ascii: "_") }
            if let i = parseGoInt(plain[...]) { return .int(i) }
            if let u = parseGoUint(plain[...]) { return .uint(u) }
            // Out-of-range floats (`1e999`) fail strconv.ParseFloat and stay strings.
            if isYAMLStyleFloat(plain[...]), let d = Double(String(decoding: plain, as: UTF8.self)), d.isFinite {
                return .float(d)
            }
            return .string
        }
    }

    /// The spellings go-yaml v2 resolves by table lookup.
    static func fixedSpelling(_ text: String) -> ResolvedScalar? {
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": .bool(true)
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": .bool(false)
        case "", "~", "null", "Null", "NULL": .null
        case ".nan", ".NaN", ".NAN": .float(.nan)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": .float(-.infinity)
        default: nil
        }
    }

    /// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading
    /// `0` for octal, decimal otherwise; nil on syntax error or overflow.
    static func parseGoInt(_ s: ArraySlice<UInt8>) -> Int64? {
        var digits = s
        var negative = false
        if let f = digits.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
            negative = f == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard let magnitude = parseGoUint(digits) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
    static func parseGoUint(_ s: ArraySlice<UInt8>) -> UInt64? {
        guard let first = s.first else { return nil }
        var base: UInt64 = 10
        var digits = s
        if first == UInt8(ascii: "0") {
            let second = s.count >= 3 ? s[s.startIndex + 1] | 0x20 : 0  // lower-cased letter
            switch second {
            case UInt8(ascii: "b"): base = 2; digits = s.dropFirst(2)
            case UInt8(ascii: "o"): base = 8; digits = s.dropFirst(2)
            case UInt8(ascii: "x"): base = 16; digits = s.dropFirst(2)
            default: base = 8; digits = s.dropFirst(1)
            }
        }
        var n: UInt64 = 0
        for c in digits {
            let d: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A")) + 10
            default: return nil
            }
            guard d < base else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            n = a
        }
        return n
    }

    /// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLStyleFloat(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        let end = s.endIndex
        func isDigit(_ at: Int) -> Bool { at < end && s[at] >= UInt8(ascii: "0") && s[at] <= UInt8(ascii: "9") }
        if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        if i < end, s[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        } else {
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
            if i < end, s[i] == UInt8(ascii: ".") {
                i += 1
                while isDigit(i) { i += 1 }
            }
        }
        if i < end, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        return i == end
    }

    /// A float map key as sigs.k8s.io/yaml writes it: Go's `strconv.FormatFloat(f, 'g', -1, 32)`
    /// (shortest float32 digits, `%e` form for exponents below -4 or from 6 on), with `.inf`,
    /// `-.inf`, `.nan` for the special values.
    static func goFloatKey(_ value: Double) -> String {
        let f = Float(value)
        if f.isNaN { return ".nan" }
        if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
        // Swift prints the shortest round-tripping digits; re-lay them out as Go does.
        var text = Substring(f.description)
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integer = parts.first.map(String.init) ?? ""
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = Array(integer + fraction)
        var point = integer.count + exponent  // digits[0..<point] are before the decimal point
        while let d = digits.first, d == "0" {
            digits.removeFirst()
            point -= 1
        }
        while let d = digits.last, d == "0" { digits.removeLast() }
        let sign = negative ? "-" : ""
        if digits.isEmpty { return sign + "0" }
        let exp10 = point - 1
        if exp10 < -4 || exp10 >= 6 {
            var out = sign + String(digits[0])
            if digits.count > 1 { out += "." + String(digits[1...]) }
            let magnitude = abs(exp10)
            out += (exp10 < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
            return out
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + String(digits) }
        if point >= digits.count { return sign + String(digits) + String(repeating: "0", count: point - digits.count) }
        return sign + String(digits[..<point]) + "." + String(digits[point...])
    }
}
