/// Token kinds of the CEL grammar (cel-spec `doc/langdef.md`, "Syntax").
enum TokenKind: Equatable, Sendable {
    case int(UInt64)  // magnitude; the parser applies a leading `-` and range-checks
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case ident(String)
    /// A field name in backquotes (`` `content-type` ``), valid only after `.`.
    case quotedIdent(String)
    case punct(String)  // operators and punctuation: == != <= >= && || ! < > + - * / % ? : . , ( ) [ ] { }
    case eof
}

struct Token: Sendable {
    var kind: TokenKind
    /// Offset of the first Unicode scalar in the expression text, and length in scalars.
    var offset: Int
    var length: Int

    var text: String {
        switch kind {
        case .int(let v): String(v)
        case .uint(let v): "\(v)u"
        case .double(let d): "\(d)"
        case .string: "string literal"
        case .bytes: "bytes literal"
        case .ident(let s): s
        case .quotedIdent(let s): "`\(s)`"
        case .punct(let p): p
        case .eof: "end of expression"
        }
    }
}

/// A syntax error at an offset of the expression text.
struct SyntaxError: Error, Sendable {
    var message: String
    var offset: Int
    var length: Int = 1
}

/// Splits an expression into tokens. Works on Unicode scalars so offsets are columns.
struct Lexer {
    let s: [Unicode.Scalar]
    var i = 0

    init(_ text: String) { s = Array(text.unicodeScalars) }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isHex(_ c: Unicode.Scalar) -> Bool { isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F") }

    mutating func skipSpace() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                i += 1
            } else if c == "/", peek(1) == "/" {
                while let c = peek(), c != "\n" { i += 1 }
            } else {
                return
            }
        }
    }

    mutating func all() throws(SyntaxError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    mutating func next() throws(SyntaxError) -> Token {
        skipSpace()
        let start = i
        guard let c = peek() else { return Token(kind: .eof, offset: i, length: 1) }
        func tok(_ k: TokenKind) -> Token { Token(kind: k, offset: start, length: i - start) }

        // String and bytes literals with optional r/b prefixes.
        if c == "\"" || c == "'" { return tok(try stringLiteral(raw: false, bytes: false)) }
        if Self.isIdentStart(c) {
            var j = i
            var raw = false, bytes = false
            while j < s.count, j - i < 2, s[j] == "r" || s[j] == "R" || s[j] == "b" || s[j] == "B" {
                if s[j] == "r" || s[j] == "R" { if raw { break }; raw = true } else { if bytes { break }; bytes = true }
                j += 1
            }
            if j > i, j < s.count, s[j] == "\"" || s[j] == "'" {
                i = j
                return tok(try stringLiteral(raw: raw, bytes: bytes))
            }
            var name = ""
            while let c = peek(), Self.isIdentStart(c) || Self.isDigit(c) { name.unicodeScalars.append(c); i += 1 }
            return tok(.ident(name))
        }
        if Self.isDigit(c) || (c == "." && peek(1).map(Self.isDigit) == true) { return tok(try number()) }

        let two = peek(1).map { String(c) + String($0) } ?? ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            i += 2
            return tok(.punct(two))
        }
        if "<>!+-*/%?:.,()[]{}".unicodeScalars.contains(c) {
            i += 1
            return tok(.punct(String(c)))
        }
        if c == "`" {
            // A quoted field name (`m.`content-type``): letters, digits and `_.-/ ` only, as cel-spec allows.
            var name = ""
            i += 1
            while let d = peek(), d != "`" {
                guard Self.isIdentStart(d) || Self.isDigit(d) || "_.-/ ".unicodeScalars.contains(d) else {
                    throw SyntaxError(message: "invalid character '\(d)' in a quoted field name", offset: i)
                }
                name.unicodeScalars.append(d)
                i += 1
            }
            guard peek() == "`", !name.isEmpty else { throw SyntaxError(message: "unterminated quoted field name", offset: start) }
            i += 1
            return tok(.quotedIdent(name))
        }
        if c == "=" { throw SyntaxError(message: "unexpected '='; did you mean '=='?", offset: i) }
        if c == "&" || c == "|" { throw SyntaxError(message: "unexpected '\(c)'; did you mean '\(c)\(c)'?", offset: i) }
        throw SyntaxError(message: "unexpected character '\(c)'", offset: i)
    }

    mutating func number() throws(SyntaxError) -> TokenKind {
        let start = i
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            i += 2
            var text = ""
            while let c = peek(), Self.isHex(c) { text.unicodeScalars.append(c); i += 1 }
            guard let v = UInt64(text, radix: 16) else {
                throw SyntaxError(message: text.isEmpty ? "invalid hex literal" : "integer literal out of range", offset: start, length: i - start)
            }
            return try intSuffix(v, start)
        }
        var text = ""
        var isDouble = false
        while let c = peek(), Self.isDigit(c) { text.unicodeScalars.append(c); i += 1 }
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            isDouble = true
            text += "."
            i += 1
            while let c = peek(), Self.isDigit(c) { text.unicodeScalars.append(c); i += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, Self.isDigit(s[j]) {
                isDouble = true
                while i < j { text.unicodeScalars.append(s[i]); i += 1 }
                while let c = peek(), Self.isDigit(c) { text.unicodeScalars.append(c); i += 1 }
            }
        }
        if isDouble {
            guard let d = Double(text) else { throw SyntaxError(message: "invalid double literal", offset: start, length: i - start) }
            return .double(d)
        }
        guard let v = UInt64(text) else {
            throw SyntaxError(message: "integer literal out of range", offset: start, length: i - start)
        }
        return try intSuffix(v, start)
    }

    mutating func intSuffix(_ v: UInt64, _ start: Int) throws(SyntaxError) -> TokenKind {
        if peek() == "u" || peek() == "U" {
            i += 1
            return .uint(v)
        }
        return .int(v)
    }

    mutating func stringLiteral(raw: Bool, bytes: Bool) throws(SyntaxError) -> TokenKind {
        let start = i
        let q = s[i]
        let triple = peek(1) == q && peek(2) == q
        i += triple ? 3 : 1
        var out: [UInt8] = []  // UTF-8 (strings) or raw bytes
        func appendScalar(_ u: Unicode.Scalar) { out.append(contentsOf: Array(String(u).utf8)) }
        while true {
            guard let c = peek() else {
                throw SyntaxError(message: "unterminated string literal", offset: start, length: i - start)
            }
            if c == q, !triple || (peek(1) == q && peek(2) == q) {
                i += triple ? 3 : 1
                break
            }
            if !triple, c == "\n" || c == "\r" {
                throw SyntaxError(message: "unterminated string literal (newline in single-quoted string)", offset: start, length: i - start)
            }
            if c == "\\", !raw {
                let escStart = i
                i += 1
                guard let e = peek() else { throw SyntaxError(message: "unterminated string literal", offset: start, length: i - start) }
                i += 1
                switch e {
                case "a": out.append(7)
                case "b": out.append(8)
                case "f": out.append(12)
                case "n": out.append(10)
                case "r": out.append(13)
                case "t": out.append(9)
                case "v": out.append(11)
                case "\\", "?", "\"", "'", "`": out.append(UInt8(e.value))
                case "x", "X", "u", "U":
                    let n = (e == "x" || e == "X") ? 2 : (e == "u" ? 4 : 8)
                    var v: UInt32 = 0
                    for _ in 0..<n {
                        guard let h = peek(), Self.isHex(h) else {
                            throw SyntaxError(message: "invalid escape sequence", offset: escStart, length: i - escStart)
                        }
                        v = v * 16 + UInt32(String(h), radix: 16)!
                        i += 1
                    }
                    if bytes, n == 2 {
                        out.append(UInt8(v))
                    } else {
                        guard let u = Unicode.Scalar(v) else {
                            throw SyntaxError(message: "invalid Unicode code point in escape", offset: escStart, length: i - escStart)
                        }
                        if bytes, n != 2 {
                            throw SyntaxError(message: "\\\(e) escapes are not allowed in bytes literals", offset: escStart, length: i - escStart)
                        }
                        appendScalar(u)
                    }
                case "0"..."3":
                    var v = UInt32(e.value - 48)
                    for _ in 0..<2 {
                        guard let o = peek(), o >= "0", o <= "7" else {
                            throw SyntaxError(message: "invalid octal escape", offset: escStart, length: i - escStart)
                        }
                        v = v * 8 + (o.value - 48)
                        i += 1
                    }
                    if bytes { out.append(UInt8(v)) } else { appendScalar(Unicode.Scalar(v)!) }
                default:
                    throw SyntaxError(message: "invalid escape sequence '\\\(e)'", offset: escStart, length: 2)
                }
                continue
            }
            appendScalar(c)
            i += 1
        }
        return bytes ? .bytes(out) : .string(String(decoding: out, as: UTF8.self))
    }
}
