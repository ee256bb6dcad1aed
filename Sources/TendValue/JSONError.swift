/// A JSON document could not be parsed.
///
/// Carries the byte offset and the 1-based line and column (in Unicode scalars) of the offending
/// character; ``diagnostic(file:)`` turns it into a located ``Diagnostic`` for printing with a caret.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 0-based byte offset into the input.
    public var offset: Int
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(line):\(column): \(message)" }

    /// The error located in `file`, ready for ``Diagnostic/render(source:color:)``.
    public func diagnostic(file: String) -> Diagnostic {
        Diagnostic(.error, at: SourceLocation(file: file, line: line, column: column), message)
    }
}
