/// Recognises the most common YAML mistake in rule files: a `${...}` expression written as a plain
/// scalar. YAML then reads the expression's own `:`, `{`, `}`, `,`, `#` or `[` as YAML punctuation
/// and libyaml reports "mapping values are not allowed in this context" or "did not find expected
/// ',' or '}'", which says nothing about the expression.
enum ExpressionQuoting {
    static let hint = "a ${...} expression containing YAML punctuation (: { } [ ] , #) must be quoted: \"${...}\""

    /// Whether `line` has a `${` that starts outside quotes: not inside a `"..."` or `'...'`
    /// scalar and not in a comment.
    static func hasUnquotedExpression(_ line: Substring) -> Bool {
        var quote: Character?
        var previous: Character = " "
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#", previous == " " {
                return false
            } else if c == "$", line[line.index(after: index)...].hasPrefix("{") {
                return true
            }
            previous = c
            index = line.index(after: index)
        }
        return false
    }
}

extension DocumentBuilder {
    /// Line `zeroBased` of `input`, without its line break (empty past the end).
    static func line(_ zeroBased: Int, of input: UnsafeBufferPointer<UInt8>) -> Substring {
        var current = 0
        var start = 0
        for (i, b) in input.enumerated() where b == UInt8(ascii: "\n") {
            if current == zeroBased { return Substring(decoding: input[start..<i], as: UTF8.self) }
            current += 1
            start = i + 1
        }
        return current == zeroBased ? Substring(decoding: input[start...], as: UTF8.self) : ""
    }
}
