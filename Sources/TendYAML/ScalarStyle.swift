/// How the serializer writes a string so that it reads back as the same string.
enum ScalarStyle: Equatable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal

    /// The style for `text`: plain when libyaml would read it back unchanged as a string by
    /// kubectl's typing rules; double quotes for text that would read as another type (kubectl
    /// prints `"true"`, `"8080"`); single quotes for other text with syntax characters (`'*'`);
    /// double quotes with escapes for control characters; a literal block for multi-line text
    /// when every line is safe to write unquoted (`allowBlock`).
    static func choose(for text: String, allowBlock: Bool) -> ScalarStyle {
        let scalars = text.unicodeScalars
        if allowBlock, text.contains("\n"), canBeLiteral(scalars) { return .literal }
        var allPrintable = true
        for c in scalars where !isFlowSafe(c) {
            allPrintable = false
            break
        }
        guard allPrintable else { return .doubleQuoted }
        if looksLikeNonString(text) { return .doubleQuoted }
        return canBePlain(scalars) ? .plain : .singleQuoted
    }

    /// Printable on one line: no line breaks, tabs, byte order marks or control characters.
    static func isFlowSafe(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20...0x7E: true
        case 0xA0...0xD7FF: c.value != 0x2028 && c.value != 0x2029
        case 0xE000...0xFFFD: c.value != 0xFEFF
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Text that a YAML 1.1 reader (go-yaml v2) or a YAML 1.2 reader would take for a non-string:
    /// what resolves to null, bool or a number here, plus floats out of range (`1e999`),
    /// sexagesimal numbers (`1:20`) and timestamps (`2024-01-01`), which go-yaml v2 quotes too.
    static func looksLikeNonString(_ text: String) -> Bool {
        if ScalarResolver.resolvePlain(text) != .string { return true }
        let bytes = Array(text.utf8.filter { $0 != UInt8(ascii: "_") })
        if ScalarResolver.isYAMLStyleFloat(bytes[...]) { return true }
        guard var i = bytes.indices.first else { return false }
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return false }
        let numericish = bytes[i...].allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
        }
        if numericish && bytes.contains(UInt8(ascii: ":")) { return true }  // base 60
        // YYYY-...: a possible timestamp.
        return bytes.count >= 5 && bytes[0..<4].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            && bytes[4] == UInt8(ascii: "-")
    }

    /// Whether libyaml reads `text` back unchanged as a plain scalar in block context (keys or values).
    static func canBePlain(_ scalars: String.UnicodeScalarView) -> Bool {
        guard let first = scalars.first, let last = scalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        switch first {
        case "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
            return false
        case "-":
            // `--flag` is fine; `-`, `- x` and `---` are not.
            let second = scalars.dropFirst().first
            if second == nil || second == " " || scalars.starts(with: "---".unicodeScalars) { return false }
        case ".":
            if scalars.starts(with: "...".unicodeScalars) { return false }
        case "<":
            if scalars.elementsEqual("<<".unicodeScalars) { return false }
        default:
            break
        }
        var previous: Unicode.Scalar = " "
        for c in scalars {
            if c == " " && previous == ":" { return false }  // `a: b` would be a mapping
            if c == "#" && previous == " " { return false }  // ` #` starts a comment
            previous = c
        }
        return true
    }

    /// Multi-line text that a literal block (`|`) reproduces exactly: printable (tabs allowed), no
    /// line ending in a blank (editors strip them), a first non-empty line that does not start with
    /// a blank (it would be read as indentation), and at least one non-empty line.
    static func canBeLiteral(_ scalars: String.UnicodeScalarView) -> Bool {
        let lines = scalars.split(separator: "\n", omittingEmptySubsequences: false)
        guard let firstContent = lines.first(where: { !$0.isEmpty }) else { return false }
        if let c = firstContent.first, c == " " || c == "\t" { return false }
        for line in lines {
            if let last = line.last, last == " " || last == "\t" { return false }
            for c in line where c != "\t" && !isFlowSafe(c) { return false }
        }
        return true
    }
}
