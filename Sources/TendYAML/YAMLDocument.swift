public import TendValue

/// One document of a YAML stream: its value and where each of its nodes was written.
public struct YAMLDocument: Sendable {
    /// The document's content, typed by kubectl's rules (docs/yaml.md).
    public var value: Value
    /// Locations of every node of `value`, by path.
    public var locations: SourceMap
    /// Where the document starts: its `---`, or its first node when the marker is implicit.
    public var location: SourceLocation

    public init(value: Value, locations: SourceMap, location: SourceLocation) {
        self.value = value
        self.locations = locations
        self.location = location
    }

    /// Whether kubectl would skip this document: it is empty, only comments, or `null`.
    public var isEmpty: Bool { value.isNull }
}

/// Limits and choices for ``YAML/parseDocuments(_:file:options:)``.
public struct YAMLParseOptions: Sendable, Hashable {
    /// Leave out documents that are empty, only comments or `null`, as `kubectl apply` does.
    public var skipEmptyDocuments: Bool
    /// The deepest nesting of collections accepted; deeper input is a ``YAMLError/Kind/tooDeep`` error.
    public var maxDepth: Int
    /// How many nodes aliases may add in total over the whole stream (an alias to a mapping of 10
    /// scalars adds 11); beyond it the parse fails with ``YAMLError/Kind/excessiveAliasing``.
    public var maxAliasExpansion: Int

    public init(skipEmptyDocuments: Bool = false, maxDepth: Int = 512, maxAliasExpansion: Int = 1_000_000) {
        self.skipEmptyDocuments = skipEmptyDocuments
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }
}
