public import TendValue

/// How a node was written in the source.
public enum YAMLNodeStyle: UInt8, Sendable, Hashable {
    /// An unquoted scalar: `name: web`.
    case plain
    /// `'web'`; inside, `''` stands for one `'`.
    case singleQuoted
    /// `"web"`; inside, backslash escapes.
    case doubleQuoted
    /// A `|` block scalar.
    case literal
    /// A `>` block scalar.
    case folded
    /// A sequence of `- ` entries.
    case blockSequence
    /// `[a, b]`.
    case flowSequence
    /// A mapping of `key: value` lines.
    case blockMapping
    /// `{a: 1}`.
    case flowMapping
    /// `*name`: the node is a copy of an anchored node; its children's locations are those of the anchored node.
    case alias

    /// Whether the node is a scalar (plain, quoted or block).
    public var isScalar: Bool { rawValue <= YAMLNodeStyle.folded.rawValue }
}

/// Where one node of a document was written.
///
/// Columns count Unicode scalars, 1-based, like ``SourceLocation``.
public struct YAMLNodeInfo: Sendable, Hashable {
    /// The first character of the node's token: the opening quote of a quoted scalar, the `|` or `>`
    /// of a block scalar, the `[`/`{` of a flow collection, the first key or `-` of a block collection,
    /// the `*` of an alias. An anchor or tag before a single-line plain or single-quoted scalar is
    /// skipped; before other nodes the location is that of the `&anchor`/`!tag`.
    public var location: SourceLocation
    /// How many characters the node's token spans in the source (a caret underline length). For a
    /// scalar that continues on later lines this counts characters on all its lines (line breaks
    /// included); ``Diagnostic/render(source:color:)`` clamps the underline to the first line.
    /// Collections have length 1.
    public var length: Int
    /// For a mapping entry: the first character of its key; nil for array elements and the root.
    public var keyLocation: SourceLocation?
    /// For a mapping entry: the key token's length in characters (quotes included); 0 otherwise.
    public var keyLength: Int
    /// How the node was written.
    public var style: YAMLNodeStyle
    /// The location of the first character of a scalar's content: `location` for a plain scalar,
    /// one column after the quote for a quoted one, the line after the header of a block scalar
    /// (at the header's column: approximate). For collections, `location`.
    public var contentLocation: SourceLocation
    /// Whether ``location(ofContentOffset:)`` is exact: true for single-line plain scalars and
    /// single-line quoted scalars without escapes (`''` or `\`), false otherwise.
    public var hasExactContentColumns: Bool

    /// The location of the character `offset` Unicode scalars into the scalar's parsed content.
    ///
    /// Exact when ``hasExactContentColumns`` is true (the common case: `"${spec.replicas > 1}"`
    /// on one line); otherwise an approximation on the content's first line, so a caret still points
    /// into the right scalar.
    public func location(ofContentOffset offset: Int) -> SourceLocation {
        contentLocation.advanced(byColumns: max(0, offset))
    }
}

/// Source locations of every node of one parsed document, addressed by ``YAMLPath``.
///
/// Kept apart from ``Value`` so that values stay compact: a document's `Value` can be cached and
/// passed around without its locations. The map is a tree mirroring the value (a few dozen bytes
/// per node, no per-node path arrays); lookups walk it from the root, comparing keys linearly.
public struct SourceMap: Sendable {
    /// The file name every location of this map carries.
    public let file: String
    var root: LocationNode?

    init(file: String, root: LocationNode?) {
        self.file = file
        self.root = root
    }

    /// Everything known about the node at `path`, or nil when the document has no such node.
    public func info(at path: YAMLPath) -> YAMLNodeInfo? {
        guard let node = node(at: path) else { return nil }
        return node.info(file: file)
    }

    /// Where the value at `path` starts.
    public func location(of path: YAMLPath) -> SourceLocation? { info(at: path)?.location }

    /// Where the key of the mapping entry at `path` starts; nil for array elements, the root and missing paths.
    public func keyLocation(of path: YAMLPath) -> SourceLocation? { info(at: path)?.keyLocation }

    /// The longest prefix of `path` that exists in the document, and its node.
    ///
    /// A checker reporting a missing field points at the closest ancestor that exists.
    /// Nil only for an empty map (a stream without documents).
    public func closestInfo(to path: YAMLPath) -> (path: YAMLPath, info: YAMLNodeInfo)? {
        guard var current = root else { return nil }
        var found: [YAMLPath.Component] = []
        for component in path.components {
            guard let child = current.child(component) else { break }
            current = child
            found.append(component)
        }
        return (YAMLPath(found), current.info(file: file))
    }

    func node(at path: YAMLPath) -> LocationNode? {
        guard var current = root else { return nil }
        for component in path.components {
            guard let child = current.child(component) else { return nil }
            current = child
        }
        return current
    }
}

/// One node of a ``SourceMap``: positions packed in 32-bit fields, children parallel to the value's.
struct LocationNode: Sendable {
    var line: Int32
    var column: Int32
    var length: Int32
    var keyLine: Int32 = 0  // 0: no key
    var keyColumn: Int32 = 0
    var keyLength: Int32 = 0
    var contentLine: Int32
    var contentColumn: Int32
    var style: YAMLNodeStyle
    var exact: Bool
    /// Object keys, parallel to `children` (empty for arrays and scalars).
    var keys: [String] = []
    var children: [LocationNode] = []

    func child(_ component: YAMLPath.Component) -> LocationNode? {
        switch component {
        case .index(let i):
            guard keys.isEmpty, children.indices.contains(i) else { return nil }
            return children[i]
        case .key(let k):
            guard let i = keys.firstIndex(of: k) else { return nil }
            return children[i]
        }
    }

    func info(file: String) -> YAMLNodeInfo {
        YAMLNodeInfo(
            location: SourceLocation(file: file, line: Int(line), column: Int(column)),
            length: Int(length),
            keyLocation: keyLine == 0
                ? nil : SourceLocation(file: file, line: Int(keyLine), column: Int(keyColumn)),
            keyLength: Int(keyLength),
            style: style,
            contentLocation: SourceLocation(file: file, line: Int(contentLine), column: Int(contentColumn)),
            hasExactContentColumns: exact)
    }
}
