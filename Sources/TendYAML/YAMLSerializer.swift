public import TendValue

extension YAML {
    /// Block-style YAML as kubectl prints it: 2-space indentation, sequence entries (`- `) under a
    /// key at the key's own indentation, keys in the value's order, `{}`/`[]` for empty collections.
    ///
    /// Strings are written plain when that reads back as the same string, double-quoted when they
    /// would otherwise read as another type (`"true"`, `"8080"`, `""`), single-quoted when they
    /// contain YAML syntax (`'*'`, `'a: b'`), double-quoted with escapes when they contain control
    /// characters, and as `|` literal blocks when multi-line and safe. Integral doubles keep a
    /// fraction (`1000.0`) so they read back as doubles. Lines are never folded.
    ///
    /// `parse(serialize(v))` gives back `v` for every value without infinities or NaN (those are
    /// written `.inf`, `-.inf`, `.nan`, which the parser rejects as not representable in JSON).
    /// The output ends with a newline.
    public static func serialize(_ value: Value) -> String {
        var writer = YAMLWriter()
        writer.writeDocument(value)
        return writer.out
    }

    /// Several documents as one stream, separated by `---` lines.
    public static func serializeDocuments(_ values: [Value]) -> String {
        values.map { serialize($0) }.joined(separator: "---\n")
    }
}

/// Writes block YAML into a string. Recursion depth follows the value's nesting.
struct YAMLWriter {
    var out = ""

    /// Keys whose written form is longer than this use the explicit `? key` form (libyaml limits
    /// implicit keys to 1024 characters).
    static let implicitKeyLimit = 1000

    mutating func writeDocument(_ value: Value) {
        switch value {
        case .object(let o) where !o.isEmpty: writeMapping(o, indent: 0, continuingLine: false)
        case .array(let a) where !a.isEmpty: writeSequence(a, indent: 0, continuingLine: false)
        default:
            writeScalar(value, indent: 0)
        }
    }

    /// Writes `key: value` lines at `indent`; when `continuingLine`, the first line continues the
    /// current one (after `- `).
    mutating func writeMapping(_ object: Value.Object, indent: Int, continuingLine: Bool) {
        for (i, entry) in object.enumerated() {
            if i > 0 || !continuingLine { out += String(repeating: " ", count: indent) }
            let key = Self.keyText(entry.key)
            if key.unicodeScalars.count > Self.implicitKeyLimit {
                out += "? " + key + "\n" + String(repeating: " ", count: indent) + ":"
                writeValue(entry.value, indent: indent, sequenceIndent: indent + 2)
            } else {
                out += key + ":"
                writeValue(entry.value, indent: indent, sequenceIndent: indent)
            }
        }
    }

    /// Writes the value of a mapping entry whose key (and `:`) has just been written.
    private mutating func writeValue(_ value: Value, indent: Int, sequenceIndent: Int) {
        switch value {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            writeMapping(o, indent: indent + 2, continuingLine: false)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            writeSequence(a, indent: sequenceIndent, continuingLine: false)
        default:
            out += " "
            writeScalar(value, indent: indent + 2)
        }
    }

    mutating func writeSequence(_ items: [Value], indent: Int, continuingLine: Bool) {
        for (i, item) in items.enumerated() {
            if i > 0 || !continuingLine { out += String(repeating: " ", count: indent) }
            out += "- "
            switch item {
            case .object(let o) where !o.isEmpty: writeMapping(o, indent: indent + 2, continuingLine: true)
            case .array(let a) where !a.isEmpty: writeSequence(a, indent: indent + 2, continuingLine: true)
            default: writeScalar(item, indent: indent + 2)
            }
        }
    }

    /// Writes a scalar (or empty collection) and ends the line; block scalar content goes at `indent`
    /// (at least 2, so that no content line can be read as `---`).
    mutating func writeScalar(_ value: Value, indent: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.doubleText(d)
        case .array: out += "[]"
        case .object: out += "{}"
        case .string(let s):
            switch ScalarStyle.choose(for: s, allowBlock: true) {
            case .plain: out += s
            case .singleQuoted: out += Self.singleQuoted(s)
            case .doubleQuoted: out += Self.doubleQuoted(s)
            case .literal: writeLiteral(s, indent: max(2, indent))
            }
        }
        out += "\n"
    }

    /// `|`, `|-` or `|+` by the trailing line breaks, then the lines at `indent` (empty lines stay empty).
    private mutating func writeLiteral(_ text: String, indent: Int) {
        var body = Substring(text)
        if text.hasSuffix("\n") {
            body = body.dropLast()
            out += body.hasSuffix("\n") ? "|+" : "|"
        } else {
            out += "|-"
        }
        let pad = String(repeating: " ", count: indent)
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            out += "\n"
            if !line.isEmpty { out += pad + line }
        }
    }

    static func keyText(_ key: String) -> String {
        switch ScalarStyle.choose(for: key, allowBlock: false) {
        case .plain: key
        case .singleQuoted: singleQuoted(key)
        case .doubleQuoted, .literal: doubleQuoted(key)
        }
    }

    /// Shortest round-tripping digits, always with a fraction or exponent so it reads back as a double.
    static func doubleText(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        return d.description  // "1000.0", "1e+20", "-0.0", "5e-324"
    }

    static func singleQuoted(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            if c == "'" { out += "''" } else { out.unicodeScalars.append(c) }
        }
        return out + "'"
    }

    static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\0": out += "\\0"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0B}": out += "\\v"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if ScalarStyle.isFlowSafe(c) {
                    out.unicodeScalars.append(c)
                } else {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    let (prefix, width) = c.value <= 0xFF ? ("\\x", 2) : c.value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
                    out += prefix + String(repeating: "0", count: width - hex.count) + hex
                }
            }
        }
        return out + "\""
    }
}
