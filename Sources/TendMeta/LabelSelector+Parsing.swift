/// A label selector that could not be read, with the position of the problem.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Offset in characters into the selector string, when parsing one.
    public var offset: Int?

    public init(message: String, offset: Int?) {
        self.message = message
        self.offset = offset
    }

    public var description: String {
        offset.map { "invalid label selector at offset \($0): \(message)" } ?? "invalid label selector: \(message)"
    }

    /// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters
    /// of `[A-Za-z0-9_.-]` that starts and ends alphanumeric (apimachinery `IsQualifiedName`).
    package static func validate(key: String, offset: Int? = nil) throws(LabelSelectorError) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1: name = parts[0]
        case 2:
            let prefix = parts[0]
            let prefixOK =
                !prefix.isEmpty && prefix.count <= 253
                && prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                    !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isLowercaseAlnum || $0 == "-" }
                        && label.first!.isLowercaseAlnum && label.last!.isLowercaseAlnum
                }
            guard prefixOK else {
                throw LabelSelectorError(message: "invalid label key \"\(key)\": prefix must be a DNS subdomain", offset: offset)
            }
            name = parts[1]
        default:
            throw LabelSelectorError(message: "invalid label key \"\(key)\": at most one '/'", offset: offset)
        }
        guard !name.isEmpty, name.count <= 63, isLabelText(name) else {
            throw LabelSelectorError(
                message: "invalid label key \"\(key)\": name must be 1-63 characters of [A-Za-z0-9_.-], "
                    + "starting and ending with an alphanumeric character", offset: offset)
        }
    }

    /// A label value: empty, or at most 63 characters of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
    package static func validate(value: String, offset: Int? = nil) throws(LabelSelectorError) {
        guard value.isEmpty || (value.count <= 63 && isLabelText(value[...])) else {
            throw LabelSelectorError(
                message: "invalid label value \"\(value)\": must be at most 63 characters of [A-Za-z0-9_.-], "
                    + "starting and ending with an alphanumeric character", offset: offset)
        }
    }

    private static func isLabelText(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, first.isASCIIAlnum, last.isASCIIAlnum else { return false }
        return s.allSatisfy { $0.isASCIIAlnum || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

extension Character {
    fileprivate var isASCIIAlnum: Bool {
        guard let a = asciiValue else { return false }
        return (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A)
    }
    fileprivate var isLowercaseAlnum: Bool {
        guard let a = asciiValue else { return false }
        return (a >= 0x30 && a <= 0x39) || (a >= 0x61 && a <= 0x7A)
    }
    /// `isWhitespace`, without the Unicode property lookup for ASCII.
    fileprivate var isSelectorSpace: Bool {
        guard let a = asciiValue else { return isWhitespace }
        return a == 0x20 || (a >= 0x09 && a <= 0x0D)
    }
}

extension LabelSelector {
    /// Parses the string form kubectl accepts (`-l`), e.g. `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    ///
    /// Grammar (apimachinery `labels.Parse`): requirements separated by `,`; each is `key`, `!key`,
    /// `key=value`, `key==value`, `key!=value`, `key in (v1,v2)` or `key notin (v1,v2)`. Whitespace
    /// around tokens is ignored; a value may be empty (`key=`); `in ()` means the empty value.
    /// Keys and values are validated as label keys and values. The empty string is the selector
    /// that matches everything. `=` terms become `matchLabels` only when each key appears once.
    /// `>` and `<` (numeric comparisons, not part of `metav1.LabelSelector`) are rejected.
    /// - Throws: ``LabelSelectorError`` with the character offset of the offending token.
    public init(parsing text: String) throws(LabelSelectorError) {
        var parser = SelectorParser(Array(text))
        let terms = try parser.parse()
        self.init()
        var seen: [String: Int] = [:]
        for t in terms where t.operator == .equals { seen[t.key, default: 0] += 1 }
        for t in terms {
            if t.operator == .equals, seen[t.key] == 1 {
                matchLabels[t.key] = t.values.first ?? ""
            } else {
                matchExpressions.append(t)
            }
        }
    }
}

/// A hand-written lexer/parser over characters; offsets are character offsets.
private struct SelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case not, equals, doubleEquals, notEquals, open, close, comma, greater, less
        case end
    }

    let chars: [Character]
    var position = 0
    var tokenStart = 0

    init(_ chars: [Character]) { self.chars = chars }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        var terms: [LabelSelector.Requirement] = []
        if peek() == .end { return terms }
        while true {
            terms.append(try requirement())
            switch next() {
            case .end: return terms
            case .comma: continue
            case let t: throw error("found \(describe(t)), expected ','")
            }
        }
    }

    private mutating func requirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        var negated = false
        if peek() == .not {
            _ = next()
            negated = true
        }
        guard case .identifier(let key) = next() else { throw error("expected a label key") }
        let keyOffset = tokenStart
        try LabelSelectorError.validate(key: key, offset: keyOffset)
        if negated {
            let t = peek()
            guard t == .comma || t == .end else {
                _ = next()
                throw error("found \(describe(t)) after '!\(key)', expected ',' or end")
            }
            return .init(key: key, operator: .doesNotExist)
        }
        switch next() {
        case .comma, .end:
            position = tokenStart  // give the separator back to parse()
            return .init(key: key, operator: .exists)
        case .equals, .doubleEquals: return .init(key: key, operator: .equals, values: [try singleValue()])
        case .notEquals: return .init(key: key, operator: .notEquals, values: [try singleValue()])
        case .identifier("in"): return .init(key: key, operator: .in, values: try valueSet())
        case .identifier("notin"): return .init(key: key, operator: .notIn, values: try valueSet())
        case .greater, .less: throw error("numeric comparisons ('>', '<') are not supported in label selectors")
        case let t: throw error("found \(describe(t)), expected one of '=', '==', '!=', 'in', 'notin', ',' or end")
        }
    }

    private mutating func singleValue() throws(LabelSelectorError) -> String {
        switch peek() {
        case .comma, .end: return ""
        case .identifier(let v):
            _ = next()
            try LabelSelectorError.validate(value: v, offset: tokenStart)
            return v
        case let t:
            _ = next()
            throw error("found \(describe(t)), expected a label value")
        }
    }

    private mutating func valueSet() throws(LabelSelectorError) -> [String] {
        guard next() == .open else { throw error("expected '(' after 'in'/'notin'") }
        var values: [String] = []
        var expectValue = true
        while true {
            switch next() {
            case .identifier(let v) where expectValue:
                try LabelSelectorError.validate(value: v, offset: tokenStart)
                values.append(v)
                expectValue = false
            case .comma:
                if expectValue { values.append("") }
                expectValue = true
            case .close:
                if expectValue { values.append("") }
                return values
            case let t: throw error("found \(describe(t)), expected a value, ',' or ')'")
            }
        }
    }

    // MARK: Lexer

    private mutating func peek() -> Token {
        let saved = (position, tokenStart)
        defer { (position, tokenStart) = saved }
        return next()
    }

    private mutating func next() -> Token {
        while position < chars.count, chars[position].isSelectorSpace { position += 1 }
        tokenStart = position
        guard position < chars.count else { return .end }
        let c = chars[position]
        position += 1
        switch c {
        case ",": return .comma
        case "(": return .open
        case ")": return .close
        case ">": return .greater
        case "<": return .less
        case "=":
            if position < chars.count, chars[position] == "=" {
                position += 1
                return .doubleEquals
            }
            return .equals
        case "!":
            if position < chars.count, chars[position] == "=" {
                position += 1
                return .notEquals
            }
            return .not
        default:
            while position < chars.count, !Self.isSpecial(chars[position]), !chars[position].isSelectorSpace {
                position += 1
            }
            return .identifier(String(chars[tokenStart..<position]))
        }
    }

    private static func isSpecial(_ c: Character) -> Bool {
        switch c {
        case ",", "(", ")", "=", "!", "<", ">": true
        default: false
        }
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .identifier(let s): "'\(s)'"
        case .not: "'!'"
        case .equals: "'='"
        case .doubleEquals: "'=='"
        case .notEquals: "'!='"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        case .greater: "'>'"
        case .less: "'<'"
        case .end: "end of input"
        }
    }

    private func error(_ message: String) -> LabelSelectorError {
        LabelSelectorError(message: message, offset: tokenStart)
    }
}
