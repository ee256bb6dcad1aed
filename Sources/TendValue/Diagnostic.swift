/// A problem found in user input, with the location it is about.
///
/// Diagnostics are collected, not thrown one at a time: a checker reports every problem in a file.
/// ``render(source:color:)`` prints the compiler-style form:
///
/// ```
/// rules/webapp.yaml:12:7: error: unknown field "replcas" (did you mean "replicas"?)
///    12 |       replcas: 3
///       |       ^~~~~~~
/// ```
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, note
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    /// How many columns the caret underline spans (at least 1).
    public var length: Int
    /// An evaluation failed because it read a value that is not there (a missing key or field, an
    /// index out of range); callers may take it as "not known yet" (see CELError.isAbsentValue).
    public var isAbsentValue: Bool = false

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String, length: Int = 1) {
        self.severity = severity
        self.location = location
        self.message = message
        self.length = max(1, length)
    }

    /// `file:line:col: error: message`, one line.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }

    /// The one-line header, then the source line and a caret under the column when `source` is given.
    ///
    /// - Parameters:
    ///   - source: the full text of `location.file`, or nil when it is not available.
    ///   - color: ANSI colours; pass `true` only when writing to a terminal.
    public func render(source: String?, color: Bool = false) -> String {
        let bold = color ? "\u{1B}[1m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        let tint: String =
            switch severity {
            case .error: color ? "\u{1B}[1;31m" : ""
            case .warning: color ? "\u{1B}[1;35m" : ""
            case .note: color ? "\u{1B}[1;36m" : ""
            }
        let green = color ? "\u{1B}[1;32m" : ""
        var out = "\(bold)\(location):\(reset) \(tint)\(severity.rawValue):\(reset) \(bold)\(message)\(reset)"
        guard let source, let lineText = Self.line(location.line, of: source) else { return out }
        let gutter = String(location.line)
        let pad = String(repeating: " ", count: gutter.count)
        // Keep tabs in the caret line so the caret stays under the character in any tab width.
        var caretPrefix = ""
        for (i, ch) in lineText.unicodeScalars.enumerated() where i < location.column - 1 {
            caretPrefix.append(ch == "\t" ? "\t" : " ")
        }
        let scalars = lineText.unicodeScalars.count
        let available = max(1, scalars - (location.column - 1))
        let underline = "^" + String(repeating: "~", count: max(0, min(length, available) - 1))
        out += "\n \(gutter) | \(lineText)\n \(pad) | \(caretPrefix)\(green)\(underline)\(reset)"
        return out
    }

    /// The diagnostic with its column moved back to just past the end of its line when it points
    /// beyond it: columns computed by adding an offset to a scalar's first column (an expression in a
    /// YAML scalar folded over several lines) can run past the line they start on.
    public func clamped(to source: String) -> Diagnostic {
        guard let text = Self.line(location.line, of: source) else { return self }
        var copy = self
        copy.location.column = min(location.column, text.unicodeScalars.count + 1)
        return copy
    }

    /// The 1-based `line` of `source`, without its line terminator.
    static func line(_ number: Int, of source: String) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = source.startIndex
        var i = source.startIndex
        while i < source.endIndex {
            let c = source[i]
            if c == "\n" || c == "\r\n" || c == "\r" {
                if current == number { return String(source[start..<i]) }
                current += 1
                start = source.index(after: i)
            }
            i = source.index(after: i)
        }
        return current == number ? String(source[start..<source.endIndex]) : nil
    }
}
