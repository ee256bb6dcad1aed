import TendValue

/// A finished node: its value, its locations, and how many nodes it stands for once aliases are expanded.
struct ParsedNode {
    var value: Value
    var loc: LocationNode
    /// Nodes in this subtree, counting the expansion of every alias inside it.
    var count: Int
    /// A plain `<<` (or `!!merge <<`): in key position it merges mappings.
    var isMergeKey = false
    /// A plain integer that overflowed Int64 but fits UInt64 (its value is a `.double`); not a valid key.
    var isUnsignedOverflow = false
}

/// Turns libyaml's event stream into ``YAMLDocument``s: one pass, an explicit stack (no recursion),
/// values built directly, keys checked for duplicates as they come.
struct DocumentBuilder {
    let file: String
    let options: YAMLParseOptions
    let input: UnsafeBufferPointer<UInt8>

    private var aliasExpansion = 0
    private var nodeCount = 0
    private var anchors: [String: ParsedNode] = [:]
    private var openAnchors: Set<String> = []
    private var stack: [CollectionFrame] = []
    private var root: ParsedNode?

    init(file: String, options: YAMLParseOptions, input: UnsafeBufferPointer<UInt8>) {
        self.file = file
        self.options = options
        self.input = input
    }

    /// Parses every document of the stream.
    mutating func parseStream() throws(YAMLError) -> [YAMLDocument] {
        var parser = LibYAMLEventParser(input: input)
        var documents: [YAMLDocument] = []
        var documentStart = YAMLMark(index: 0, line: 0, column: 0)
        while true {
            let event: YAMLEvent
            switch parser.next() {
            case .success(let e): event = e
            case .failure(let failure): throw error(from: failure)
            }
            switch event.kind {
            case .streamStart:
                continue
            case .streamEnd:
                return documents
            case .documentStart:
                anchors = [:]
                openAnchors = []
                stack = []
                root = nil
                nodeCount = 0
                documentStart = event.start
            case .documentEnd:
                let document = YAMLDocument(
                    value: root?.value ?? .null, locations: SourceMap(file: file, root: root?.loc),
                    location: location(documentStart))
                if !(options.skipEmptyDocuments && document.isEmpty) { documents.append(document) }
                root = nil
            case .scalar:
                var node = try scalarNode(event)
                nodeCount += 1
                if let anchor = event.anchor { anchors[anchor] = node }
                node.count = 1
                try complete(node)
            case .alias:
                try complete(aliasNode(event))
            case .sequenceStart, .mappingStart:
                try open(event)
            case .sequenceEnd, .mappingEnd:
                try close()
            }
        }
    }

    // MARK: Nodes

    private mutating func aliasNode(_ event: YAMLEvent) throws(YAMLError) -> ParsedNode {
        let name = event.anchor ?? ""
        let length = max(1, event.end.index - event.start.index)
        guard var node = anchors[name] else {
            let message =
                openAnchors.contains(name)
                ? "alias *\(name) refers to its own enclosing node (recursive aliases are not supported)"
                : "unknown anchor '\(name)' referenced"
            throw YAMLError(.unknownAlias, at: location(event.start), message, length: length)
        }
        aliasExpansion += node.count
        guard aliasExpansion <= options.maxAliasExpansion else {
            throw YAMLError(
                .excessiveAliasing, at: location(event.start),
                "document contains excessive aliasing: aliases expand to more than \(options.maxAliasExpansion) nodes",
                length: length)
        }
        nodeCount += node.count
        var loc = LocationNode(
            line: Int32(clamping: event.start.line + 1), column: Int32(clamping: event.start.column + 1),
            length: Int32(clamping: length), contentLine: Int32(clamping: event.start.line + 1),
            contentColumn: Int32(clamping: event.start.column + 1), style: .alias, exact: false)
        loc.keys = node.loc.keys
        loc.children = node.loc.children
        node.loc = loc
        return node
    }

    private mutating func open(_ event: YAMLEvent) throws(YAMLError) {
        let isMapping = event.kind == .mappingStart
        guard stack.count < options.maxDepth else {
            throw YAMLError(
                .tooDeep, at: location(event.start),
                "collections are nested deeper than the limit of \(options.maxDepth) levels")
        }
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw YAMLError(
                .unsupportedKey, at: location(event.start),
                "a \(isMapping ? "mapping" : "sequence") cannot be a mapping key (JSON keys are strings)")
        }
        if let tag = event.tag {
            let expected = isMapping ? Tags.map : Tags.seq
            if tag != expected, Tags.core.contains(tag) {
                throw YAMLError(
                    .invalidTag, at: location(event.start),
                    "cannot decode a \(isMapping ? "mapping" : "sequence") as \(Tags.short(tag))")
            }
        }
        if let anchor = event.anchor { openAnchors.insert(anchor) }
        let line = Int32(clamping: event.start.line + 1)
        let column = Int32(clamping: event.start.column + 1)
        stack.append(
            CollectionFrame(
                isMapping: isMapping, anchor: event.anchor, startCount: nodeCount,
                loc: LocationNode(
                    line: line, column: column, length: 1, contentLine: line, contentColumn: column,
                    style: event.style, exact: false)))
    }

    private mutating func close() throws(YAMLError) {
        guard var frame = stack.popLast() else { return }
        nodeCount += 1
        let value: Value
        if frame.isMapping {
            value = .object(try frame.finishMapping(file: file))
        } else {
            value = .array(frame.items)
        }
        let node = ParsedNode(value: value, loc: frame.loc, count: nodeCount - frame.startCount)
        if let anchor = frame.anchor {
            openAnchors.remove(anchor)
            anchors[anchor] = node
        }
        try complete(node)
    }

    /// Adds a finished node to its parent (or makes it the document root).
    private mutating func complete(_ node: ParsedNode) throws(YAMLError) {
        let top = stack.count - 1
        let isKey = top >= 0 && stack[top].isMapping && stack[top].pendingKey == nil
        if !isKey, case .double(let d) = node.value, !d.isFinite {
            throw YAMLError(
                .unsupportedValue, at: nodeLocation(node.loc),
                "\(d.isNaN ? ".nan" : (d < 0 ? "-.inf" : ".inf")) cannot be represented in JSON (quote it for a string)",
                length: Int(node.loc.length))
        }
        guard top >= 0 else {
            root = node
            return
        }
        if !stack[top].isMapping {
            stack[top].items.append(node.value)
            stack[top].loc.children.append(node.loc)
        } else if isKey {
            try stack[top].acceptKey(node, keyString: try keyString(node), file: file)
        } else {
            try stack[top].acceptValue(node, file: file)
        }
    }

    /// The key as sigs.k8s.io/yaml converts it to a JSON object key.
    private func keyString(_ node: ParsedNode) throws(YAMLError) -> String {
        if node.isMergeKey { return "<<" }
        func unsupported(_ what: String) -> YAMLError {
            YAMLError(
                .unsupportedKey, at: nodeLocation(node.loc), "\(what) cannot be a mapping key (JSON keys are strings)",
                length: Int(node.loc.length))
        }
        if node.isUnsignedOverflow { throw unsupported("an integer beyond the 64-bit signed range") }
        switch node.value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .double(let d): return ScalarResolver.goFloatKey(d)
        case .null: throw unsupported("null (an empty, `~` or `null` key)")
        case .array: throw unsupported("a sequence")
        case .object: throw unsupported("a mapping")
        }
    }

    // MARK: Locations and errors

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
    }

    func nodeLocation(_ loc: LocationNode) -> SourceLocation {
        SourceLocation(file: file, line: Int(loc.line), column: Int(loc.column))
    }

    private func error(from failure: LibYAMLFailure) -> YAMLError {
        switch failure.stage {
        case .reader:
            let detail: String
            if failure.problemValue < 0 {
                detail = ""
            } else if failure.problem.contains("octet") {
                detail = " (byte 0x" + hex(failure.problemValue, digits: 2) + ")"
            } else {
                detail = " (U+" + hex(failure.problemValue, digits: 4) + ")"
            }
            return YAMLError(
                .encoding, at: Self.location(ofByteOffset: failure.byteOffset, in: input, file: file),
                failure.problem + detail)
        case .scanner, .parser:
            var message = failure.problem
            if let context = failure.context, let mark = failure.contextMark {
                message += " (\(context) at line \(mark.line + 1), column \(mark.column + 1))"
            }
            let lines = [failure.problemMark.line] + (failure.contextMark.map { [$0.line] } ?? [])
            if lines.contains(where: { ExpressionQuoting.hasUnquotedExpression(Self.line($0, of: input)) }) {
                message += "; " + ExpressionQuoting.hint
            }
            return YAMLError(.syntax, at: clampedToInput(location(failure.problemMark)), message)
        case .memory:
            return YAMLError(.syntax, at: location(failure.problemMark), "libyaml ran out of memory")
        }
    }

    /// libyaml reports errors at the end of a stream without a final newline on the line after the
    /// last one; such locations move back to the end of the input, where a caret can show them.
    private func clampedToInput(_ location: SourceLocation) -> SourceLocation {
        let end = Self.location(ofByteOffset: input.count, in: input, file: file)
        if location.line > end.line || (location.line == end.line && location.column > end.column) { return end }
        return location
    }

    private func hex(_ value: Int, digits: Int) -> String {
        let s = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// The line and column (in Unicode scalars) of a byte offset into UTF-8 input; invalid bytes count as one column.
    static func location(ofByteOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>, file: String) -> SourceLocation {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\r"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "\n") {
                i += 1
                continue
            }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
