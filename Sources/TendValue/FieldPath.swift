/// A path to a field inside a ``Value``: `spec.template.metadata.labels["app.kubernetes.io/name"]`.
///
/// Syntax: dot-separated identifiers (`[A-Za-z_$][A-Za-z0-9_$-]*`), bracketed quoted keys
/// (`["a.b"]` or `['a.b']`, with `\"`, `\'` and `\\` escapes) for keys that are not identifiers, and
/// bracketed non-negative integers (`[0]`) for array elements. A leading `.` is allowed (`.spec`),
/// as kubectl's JSONPath-like field paths often carry one. The empty path (``root``) is the whole value.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }
    public init(arrayLiteral elements: Component...) { self.components = elements }

    /// The empty path: the value itself.
    public static let root = FieldPath([])

    /// Parses the textual form.
    ///
    /// - Throws: ``FieldPath/ParseError`` with the 0-based offset (in characters) of the problem.
    public init(parsing text: String) throws(ParseError) {
        var parser = Parser(Array(text))
        components = try parser.parse()
    }

    public func appending(_ component: Component) -> FieldPath { FieldPath(components + [component]) }
    public func appending(key: String) -> FieldPath { appending(.key(key)) }
    public func appending(index: Int) -> FieldPath { appending(.index(index)) }

    /// The canonical textual form; parses back to an equal path.
    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .index(let n): out += "[\(n)]"
            case .key(let k):
                if Self.isIdentifier(k) {
                    if !out.isEmpty { out += "." }
                    out += k
                } else {
                    let escaped = k.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
                    out += "[\"\(escaped)\"]"
                }
            }
        }
        return out
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isIdentifierStart(first) else { return false }
        return s.unicodeScalars.allSatisfy { isIdentifierStart($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c == "$"
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid field path at offset \(offset): \(message)" }
    }
}

extension FieldPath {
    fileprivate struct Parser {
        let chars: [Character]
        var i = 0
        init(_ chars: [Character]) { self.chars = chars }

        mutating func parse() throws(ParseError) -> [Component] {
            var out: [Component] = []
            if i < chars.count, chars[i] == "." { i += 1 }
            var expectName = !chars.isEmpty
            while i < chars.count {
                if chars[i] == "[" {
                    out.append(try bracket())
                    expectName = false
                    continue
                }
                if chars[i] == "." {
                    guard !expectName else { throw ParseError(offset: i, message: "empty field name") }
                    i += 1
                    expectName = true
                    continue
                }
                guard expectName || out.isEmpty else {
                    throw ParseError(offset: i, message: "expected '.' or '[' before '\(chars[i])'")
                }
                out.append(.key(try identifier()))
                expectName = false
            }
            if expectName && !chars.isEmpty { throw ParseError(offset: i, message: "path ends with '.'") }
            return out
        }

        mutating func identifier() throws(ParseError) -> String {
            let start = i
            while i < chars.count, chars[i] != ".", chars[i] != "[" {
                let c = chars[i]
                guard c.unicodeScalars.count == 1, let s = c.unicodeScalars.first,
                    FieldPath.isIdentifierStart(s) || (i > start && (("0"..."9").contains(s) || s == "-"))
                else {
                    throw ParseError(offset: i, message: "unexpected character '\(c)' in field name; quote the key as [\"...\"]")
                }
                i += 1
            }
            guard i > start else { throw ParseError(offset: i, message: "empty field name") }
            return String(chars[start..<i])
        }

        mutating func bracket() throws(ParseError) -> Component {
            let open = i
            i += 1
            guard i < chars.count else { throw ParseError(offset: open, message: "unclosed '['") }
            let c = chars[i]
            if c == "\"" || c == "'" {
                i += 1
                var key = ""
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                    }
                    key.append(chars[i])
                    i += 1
                }
                guard i < chars.count else { throw ParseError(offset: open, message: "unterminated quoted key") }
                i += 1
                guard i < chars.count, chars[i] == "]" else { throw ParseError(offset: i, message: "expected ']'") }
                i += 1
                return .key(key)
            }
            let start = i
            while i < chars.count, let d = chars[i].wholeNumberValue, d >= 0, chars[i].isASCII { i += 1 }
            guard i > start, i < chars.count, chars[i] == "]", let n = Int(String(chars[start..<i])) else {
                throw ParseError(offset: start, message: "expected an array index or a quoted key inside '[...]'")
            }
            i += 1
            return .index(n)
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
