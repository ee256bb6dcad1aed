public import TendValue

/// A YAML document that could not be read, with the location of the problem.
///
/// `description` is `file:line:col: error: message`; ``render(source:color:)`` adds the source line
/// and a caret. Parsing stops at the first error.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is, for callers that react differently (tests, editors).
    public enum Kind: String, Sendable, Hashable {
        /// libyaml rejected the syntax (bad indentation, unclosed quote or bracket, tab indentation...).
        case syntax
        /// The bytes are not valid UTF-8 (or UTF-16 with a BOM), or contain control characters such as NUL.
        case encoding
        /// A key appears twice in one mapping (after converting keys to strings).
        case duplicateKey
        /// A key that JSON cannot represent: null, a collection, or an integer beyond Int64.
        case unsupportedKey
        /// A value JSON cannot represent: `.inf`, `-.inf`, `.nan`.
        case unsupportedValue
        /// `*name` with no `&name` before it in the document, or an alias inside its own anchor.
        case unknownAlias
        /// Aliases expand to more nodes than the parser allows (a "billion laughs" document).
        case excessiveAliasing
        /// Collections nested deeper than the parser allows.
        case tooDeep
        /// A tag that does not fit its node (`!!int abc`, `!!map [1]`), or invalid `!!binary` data.
        case invalidTag
        /// A merge key (`<<`) whose value is not a mapping or a sequence of mappings.
        case invalidMerge
        /// `YAML.parse` was given a stream of several documents.
        case multipleDocuments
    }

    public var kind: Kind
    /// The located message; its severity is always `.error`.
    public var diagnostic: Diagnostic

    public init(_ kind: Kind, _ diagnostic: Diagnostic) {
        self.kind = kind
        self.diagnostic = diagnostic
    }

    init(_ kind: Kind, at location: SourceLocation, _ message: String, length: Int = 1) {
        self.init(kind, Diagnostic(.error, at: location, message, length: length))
    }

    public var location: SourceLocation { diagnostic.location }
    public var message: String { diagnostic.message }
    public var description: String { diagnostic.description }

    /// The diagnostic with the offending source line and a caret; `source` is the text that was parsed.
    public func render(source: String?, color: Bool = false) -> String {
        diagnostic.render(source: source, color: color)
    }
}
