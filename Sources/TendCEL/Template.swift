public import TendValue

/// A YAML scalar that may contain `${expr}` expressions, compiled once and evaluated many times.
///
/// - A scalar that is exactly one `${expr}` keeps the result's type: `replicas: ${self.spec.replicas}`
///   yields an integer, `labels: ${self.metadata.labels}` a map.
/// - Inside a longer string each `${expr}` is replaced by the string form of its result
///   (strings as-is, numbers and bools as CEL's `string()` writes them, timestamps in RFC 3339,
///   durations like `1.5s`, bytes as base64). Lists, maps and null cannot be interpolated: that
///   is an evaluation error.
/// - `$${` writes a literal `${`.
public struct CELTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        case expression(CELProgram)
    }

    let parts: [Part]

    /// The compiled expressions of the template, in order.
    public var programs: [CELProgram] {
        parts.compactMap { if case .expression(let p) = $0 { p } else { nil } }
    }
    /// The template text as written.
    public let source: String

    /// Whether `text` contains an expression (`${`, not counting the `$${` escape).
    public static func containsExpression(_ text: String) -> Bool {
        guard text.contains("${") else { return false }
        let s = Array(text.unicodeScalars)
        for i in s.indices.dropLast() where s[i] == "$" && s[i + 1] == "{" && (i == 0 || s[i - 1] != "$") {
            return true
        }
        return false
    }

    /// Compiles every expression in `text`.
    ///
    /// - Parameter location: where `text` starts in its file (the first character of the scalar).
    /// - Throws: ``CELCompileError`` with the diagnostics of all expressions (and of an unterminated `${`).
    public init(_ text: String, environment: CELEnvironment = CELEnvironment(),
                location: SourceLocation = SourceLocation(file: "<template>", line: 1, column: 1)) throws(CELCompileError) {
        source = text
        let s = Array(text.unicodeScalars)
        var parts: [Part] = []
        var diagnostics: [Diagnostic] = []
        var literal = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "$", i + 2 < s.count, s[i + 1] == "$", s[i + 2] == "{" {
                literal.append(contentsOf: "${".unicodeScalars)
                i += 3
                continue
            }
            guard s[i] == "$", i + 1 < s.count, s[i + 1] == "{" else {
                literal.append(s[i])
                i += 1
                continue
            }
            let start = i + 2
            let exprLocation = CELProgram.diagnostic(text, location, start, 1, "").location
            guard let end = Self.closingBrace(s, from: start) else {
                let at = CELProgram.diagnostic(text, location, i, 2, "").location
                diagnostics.append(Diagnostic(.error, at: at, "unterminated '${' in template (missing '}')", length: 2))
                break
            }
            if !literal.isEmpty { parts.append(.text(String(literal))); literal = .init() }
            let exprText = String(String.UnicodeScalarView(s[start..<end]))
            do {
                parts.append(.expression(try CELProgram(exprText, environment: environment, location: exprLocation)))
            } catch {
                diagnostics += error.diagnostics
            }
            i = end + 1
        }
        if !literal.isEmpty { parts.append(.text(String(literal))) }
        if !diagnostics.isEmpty { throw CELCompileError(diagnostics: diagnostics) }
        self.parts = parts
    }

    /// The index of the `}` closing an expression that starts at `from`, skipping braces and
    /// brackets nested inside it and string literals.
    static func closingBrace(_ s: [Unicode.Scalar], from: Int) -> Int? {
        var depth = 0
        var i = from
        while i < s.count {
            let c = s[i]
            switch c {
            case "\"", "'":
                i += 1
                while i < s.count, s[i] != c {
                    if s[i] == "\\" { i += 1 }
                    i += 1
                }
            case "{", "[", "(": depth += 1
            case "]", ")": depth -= 1
            case "}":
                if depth == 0 { return i }
                depth -= 1
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Whether the template is a single `${expr}` whose result keeps its type.
    public var isWholeExpression: Bool {
        if parts.count == 1, case .expression = parts[0] { return true }
        return false
    }

    /// The expression of a template that is a single `${expr}` (see ``isWholeExpression``).
    public var wholeExpression: CELProgram? {
        if parts.count == 1, case .expression(let p) = parts[0] { return p }
        return nil
    }

    /// Whether the template has no expressions (its value is its text).
    public var isLiteral: Bool {
        parts.allSatisfy { if case .text = $0 { true } else { false } }
    }

    /// The declared variables the template's expressions use.
    public var referencedVariables: [String] {
        var seen: [String] = []
        for case .expression(let p) in parts {
            for v in p.referencedVariables where !seen.contains(v) { seen.append(v) }
        }
        return seen
    }

    /// Evaluates the template.
    ///
    /// - Throws: ``CELError``; its ``CELError/offset`` is relative to the failing expression. Use
    ///   ``evaluateLocated(_:)`` for an error located in the file.
    public func evaluate(_ variables: [String: Value] = [:]) throws(CELError) -> Value {
        var failing: CELProgram?
        return try run(variables, &failing)
    }

    /// Evaluates; on failure returns a diagnostic located at the failing operation in the file.
    public func evaluateLocated(_ variables: [String: Value] = [:]) -> Result<Value, Diagnostic> {
        var failing: CELProgram?
        do {
            return .success(try run(variables, &failing))
        } catch {
            return .failure(failing!.diagnostic(for: error))
        }
    }

    func run(_ variables: [String: Value], _ failing: inout CELProgram?) throws(CELError) -> Value {
        if parts.isEmpty { return .string("") }
        if parts.count == 1, case .expression(let p) = parts[0] {
            failing = p
            return try p.evaluate(variables).toValue()
        }
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .expression(let p):
                failing = p
                let v = try p.evaluate(variables)
                switch v {
                case .list, .map, .null:
                    throw CELError("cannot interpolate a '\(v.celType.name)' into a string; use the whole scalar \"${...}\" to keep its type, or convert it to a string", offset: 0)
                case .bytes(let b): out += Base64.encode(b)
                default: out += v.displayString
                }
            }
        }
        return .string(out)
    }
}
