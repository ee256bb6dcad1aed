/// A position in a source file: 1-based line and column (columns count Unicode scalars).
///
/// Parsers attach locations to the nodes they read so that every later error, from a YAML syntax
/// error to an unknown CEL variable deep in a rule, can point at the exact character.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it (a relative path stays relative), or a label like `<stdin>`.
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }

    /// This location moved `offset` columns to the right on the same line (for positions inside a scalar).
    public func advanced(byColumns offset: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + offset)
    }
}
