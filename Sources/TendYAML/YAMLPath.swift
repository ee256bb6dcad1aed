/// A path from the root of a document to one of its nodes: object keys and array indices.
///
/// `["spec", "containers", 0, "image"]` names the `image` field of the first container; its
/// ``description`` is `.spec.containers[0].image`. Paths address the *parsed* value: after a merge
/// key (`<<`) the merged fields are addressed as if they had been written in the mapping itself, and
/// the fields under an alias are addressed through the alias.
public struct YAMLPath: Sendable, Hashable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        CustomStringConvertible
    {
        /// A field of an object.
        case key(String)
        /// An element of an array (0-based).
        case index(Int)

        public init(stringLiteral value: String) { self = .key(value) }
        public init(integerLiteral value: Int) { self = .index(value) }

        /// `.name`, `["a b"]` for keys that are not identifiers, `[3]` for indices.
        public var description: String {
            switch self {
            case .index(let i):
                return "[\(i)]"
            case .key(let k):
                let isIdentifier =
                    !k.isEmpty
                    && k.unicodeScalars.allSatisfy { c in
                        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
                            || c == "-"
                    }
                if isIdentifier { return ".\(k)" }
                var escaped = ""
                for c in k.unicodeScalars {
                    switch c {
                    case "\"": escaped += "\\\""
                    case "\\": escaped += "\\\\"
                    case "\n": escaped += "\\n"
                    default: escaped.unicodeScalars.append(c)
                    }
                }
                return "[\"\(escaped)\"]"
            }
        }
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }
    public init(arrayLiteral elements: Component...) { components = elements }

    /// The root path, which names the whole document.
    public static var root: YAMLPath { YAMLPath() }

    /// This path extended by one key.
    public func appending(key: String) -> YAMLPath { YAMLPath(components + [.key(key)]) }
    /// This path extended by one array index.
    public func appending(index: Int) -> YAMLPath { YAMLPath(components + [.index(index)]) }

    /// `.spec.containers[0].image`; the root path is `.`.
    public var description: String {
        components.isEmpty ? "." : components.map(\.description).joined()
    }
}
