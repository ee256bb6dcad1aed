import TendValue

/// The YAML core tags, as libyaml reports them (fully expanded).
enum Tags {
    static let prefix = "tag:yaml.org,2002:"
    static let str = prefix + "str"
    static let int = prefix + "int"
    static let float = prefix + "float"
    static let bool = prefix + "bool"
    static let null = prefix + "null"
    static let binary = prefix + "binary"
    static let timestamp = prefix + "timestamp"
    static let merge = prefix + "merge"
    static let map = prefix + "map"
    static let seq = prefix + "seq"
    /// Tags that name a specific kind of node; other tags are application tags, which are ignored.
    static let core: Set<String> = [str, int, float, bool, null, binary, timestamp, merge, map, seq]

    /// `!!int` for `tag:yaml.org,2002:int`; other tags unchanged.
    static func short(_ tag: String) -> String {
        tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }
}

extension DocumentBuilder {
    /// A scalar event typed by kubectl's rules (docs/yaml.md), with its locations.
    func scalarNode(_ event: YAMLEvent) throws(YAMLError) -> ParsedNode {
        let loc = scalarLocation(event)
        var node = ParsedNode(value: .null, loc: loc, count: 1)
        func fail(_ kind: YAMLError.Kind, _ message: String) -> YAMLError {
            YAMLError(kind, at: nodeLocation(loc), message, length: Int(loc.length))
        }
        let text = event.value
        guard let tag = event.tag else {
            if event.style == .plain {
                if text == "<<" { node.isMergeKey = true }
                node.value = value(of: ScalarResolver.resolvePlain(text), text: text, node: &node)
            } else {
                node.value = .string(text)
            }
            return node
        }
        switch tag {
        case Tags.str, Tags.timestamp, "!":
            node.value = .string(text)
        case Tags.binary:
            guard let base64 = Self.normalizedBase64(text) else {
                throw fail(.invalidTag, "!!binary value contains invalid base64 data")
            }
            node.value = .string(base64)
        case Tags.merge:
            node.isMergeKey = text == "<<"
            node.value = .string(text)
        case Tags.null, Tags.bool, Tags.int, Tags.float:
            let resolved = ScalarResolver.resolvePlain(text)
            let matches: Bool
            var typed = resolved
            switch (tag, resolved) {
            case (Tags.null, .null), (Tags.bool, .bool), (Tags.int, .int), (Tags.int, .uint), (Tags.float, .float):
                matches = true
            case (Tags.float, .int(let i)):
                typed = .float(Double(i))
                matches = true
            case (Tags.float, .uint(let u)):
                typed = .float(Double(u))
                matches = true
            default:
                matches = false
            }
            guard matches else {
                throw fail(.invalidTag, "cannot decode \(Self.shortTag(of: resolved)) `\(text)` as a \(Tags.short(tag))")
            }
            node.value = value(of: typed, text: text, node: &node)
        case Tags.map, Tags.seq:
            throw fail(.invalidTag, "cannot decode a scalar as \(Tags.short(tag))")
        default:
            // Application tags (`!Ref`, `!foo`): go-yaml v2 keeps the scalar's text as a string.
            node.value = .string(text)
        }
        return node
    }

    private func value(of resolved: ResolvedScalar, text: String, node: inout ParsedNode) -> Value {
        switch resolved {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u):
            node.isUnsignedOverflow = true
            return .double(Double(u))
        case .float(let d): return .double(d)
        case .string: return .string(text)
        }
    }

    private static func shortTag(of resolved: ResolvedScalar) -> String {
        switch resolved {
        case .null: "!!null"
        case .bool: "!!bool"
        case .int, .uint: "!!int"
        case .float: "!!float"
        case .string: "!!str"
        }
    }

    /// Base64 text without the line breaks and spaces a block scalar may add; nil when not valid
    /// standard base64 (with padding).
    static func normalizedBase64(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 where b != UInt8(ascii: " ") && b != UInt8(ascii: "\n") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") {
            out.append(b)
        }
        guard out.count % 4 == 0 else { return nil }
        var padding = 0
        for (i, b) in out.enumerated() {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                guard padding == 0 else { return nil }
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2, i >= out.count - 2 else { return nil }
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Locations of a scalar token. The event's start includes any `&anchor`/`!tag`; for single-line
    /// plain and single-quoted scalars the token's own start is recovered from its end and its length.
    func scalarLocation(_ event: YAMLEvent) -> LocationNode {
        let start = event.start
        let end = event.end
        let span = max(0, end.index - start.index)
        let singleLine = start.line == end.line
        var tokenColumn = start.column
        var tokenLength = span
        var contentLine = start.line
        var contentOffset = 0
        var exact = false
        switch event.style {
        case .plain where singleLine:
            tokenLength = event.value.unicodeScalars.count
            tokenColumn = end.column - tokenLength
            exact = true
        case .singleQuoted where singleLine:
            let quotes = event.value.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "'") ? 1 : 0) }
            tokenLength = event.value.unicodeScalars.count + quotes + 2
            tokenColumn = end.column - tokenLength
            contentOffset = 1
            exact = quotes == 0
        case .singleQuoted, .doubleQuoted:
            contentOffset = 1
            let hasPrefix = event.anchor != nil || event.tag != nil
            exact = singleLine && !hasPrefix && span == event.value.unicodeScalars.count + 2
        case .literal, .folded:
            contentLine = start.line + 1
        default:
            break
        }
        let line = Int32(clamping: start.line + 1)
        let column = Int32(clamping: max(0, tokenColumn) + 1)
        return LocationNode(
            line: line, column: column, length: Int32(clamping: max(1, tokenLength)),
            contentLine: Int32(clamping: contentLine + 1), contentColumn: column + Int32(contentOffset),
            style: event.style, exact: exact)
    }
}
