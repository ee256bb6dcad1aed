/// Block-style YAML text for a ``Value``, one field per line, in stored key order.
///
/// Used to display objects (diffs, plans, `tend` output). Strings are written plain when that reads
/// back as the same string under YAML 1.1 and kubectl's typing (so `"yes"`, `"1e3"`, `"null"`,
/// `"0x1F"` and `""` are quoted), as `|`/`|-` blocks when they span lines, and double-quoted with
/// JSON escapes otherwise. The output parses back to an equal value.
public enum YAMLText {
    /// The YAML document for `value`, ending with a newline.
    public static func render(_ value: Value) -> String {
        lines(value).map { $0 + "\n" }.joined()
    }

    /// The YAML lines for `value`, without line terminators.
    public static func lines(_ value: Value) -> [String] {
        var out: [String] = []
        switch value {
        case .object(let o) where !o.isEmpty: object(o, indent: "", into: &out)
        case .array(let a) where !a.isEmpty: array(a, indent: "", into: &out)
        default: out.append(inline(value, indent: ""))
        }
        return out
    }

    private static func object(_ o: Value.Object, indent: String, into out: inout [String]) {
        for (k, v) in o {
            let key = scalarString(k)
            switch v {
            case .object(let child) where !child.isEmpty:
                out.append("\(indent)\(key):")
                object(child, indent: indent + "  ", into: &out)
            case .array(let child) where !child.isEmpty:
                out.append("\(indent)\(key):")
                array(child, indent: indent, into: &out)  // kubectl style: list items at the key's indent
            case .string(let s) where isBlockCandidate(s):
                out.append("\(indent)\(key): \(blockHeader(s))")
                blockBody(s, indent: indent + "  ", into: &out)
            default:
                out.append("\(indent)\(key): \(inline(v, indent: indent))")
            }
        }
    }

    private static func array(_ a: [Value], indent: String, into out: inout [String]) {
        for v in a {
            switch v {
            case .object(let child) where !child.isEmpty:
                var sub: [String] = []
                object(child, indent: indent + "  ", into: &sub)
                // The first field shares the dash line.
                out.append(indent + "- " + sub[0].dropFirst(indent.count + 2))
                out.append(contentsOf: sub.dropFirst())
            case .array(let child) where !child.isEmpty:
                var sub: [String] = []
                array(child, indent: indent + "  ", into: &sub)
                out.append(indent + "- " + sub[0].dropFirst(indent.count + 2))
                out.append(contentsOf: sub.dropFirst())
            case .string(let s) where isBlockCandidate(s):
                out.append("\(indent)- \(blockHeader(s))")
                blockBody(s, indent: indent + "  ", into: &out)
            default:
                out.append("\(indent)- \(inline(v, indent: indent))")
            }
        }
    }

    private static func inline(_ v: Value, indent: String) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let n): String(n)
        case .double(let d):
            d.isNaN ? ".nan" : d.isInfinite ? (d < 0 ? "-.inf" : ".inf") : doubleString(d)
        case .string(let s): scalarString(s)
        case .array: "[]"
        case .object: "{}"
        }
    }

    /// A double written so it reads back as a float, not an int (`1.0`, not `1`).
    private static func doubleString(_ d: Double) -> String {
        let s = d.description
        return s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) ? s : s + ".0"
    }

    // MARK: Strings

    static func scalarString(_ s: String) -> String {
        isPlainSafe(s) ? s : JSON.serialize(.string(s))
    }

    /// Whether `s` can be written unquoted and read back as the same string.
    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if first == " " || last == " " { return false }
        if "-?:,[]{}#&*!|>'\"%@`~".unicodeScalars.contains(first) {
            // A leading dash, colon or question mark is fine when followed by a non-space ("-x", ":x").
            guard "-?:".unicodeScalars.contains(first), s.unicodeScalars.count > 1,
                s.unicodeScalars.dropFirst().first != " "
            else { return false }
        }
        for c in s.unicodeScalars {
            if c.value < 0x20 || c.value == 0x7F || c == "\u{FEFF}" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                return false
            }
        }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return false }
        if s.contains("\t") { return false }
        return !resolvesToNonString(s)
    }

    /// Plain scalars that YAML 1.1 (kubectl's parser) would read as null, bool, number or a merge key.
    static func resolvesToNonString(_ s: String) -> Bool {
        let reserved: Set<String> = [
            "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
            "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
            ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN", "<<", "=",
        ]
        if reserved.contains(s) { return true }
        // Anything number-like is quoted: digits with signs, dots, exponents, underscores, base prefixes, colons (sexagesimal).
        guard let f = s.unicodeScalars.first, "+-.0123456789".unicodeScalars.contains(f) else { return false }
        let numberish = "0123456789+-._eEoxXabcdefABCDEF:"
        return s.unicodeScalars.allSatisfy { numberish.unicodeScalars.contains($0) }
    }

    private static func isBlockCandidate(_ s: String) -> Bool {
        guard s.contains("\n"), !s.contains("\r") else { return false }
        // Leading spaces on the first line would be taken as indentation; control characters need escapes.
        if s.hasPrefix(" ") || s.hasPrefix("\n") { return false }
        for c in s.unicodeScalars where (c.value < 0x20 && c != "\n") || c.value == 0x7F { return false }
        for line in s.split(separator: "\n", omittingEmptySubsequences: false) where line.hasSuffix(" ") { return false }
        return !s.hasSuffix("\n\n")
    }

    private static func blockHeader(_ s: String) -> String { s.hasSuffix("\n") ? "|" : "|-" }

    private static func blockBody(_ s: String, indent: String, into out: inout [String]) {
        var body = Substring(s)
        if body.hasSuffix("\n") { body = body.dropLast() }
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(line.isEmpty ? "" : indent + line)
        }
    }
}
