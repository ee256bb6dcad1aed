/// Skipping `metadata.managedFields` while parsing (``JSON/ParseOptions/skipsManagedFields``): the
/// roles of the containers on the way there, role-aware copies of the object and array parsers for
/// those few containers, and the checks that move past a value exactly as parsing it would, without
/// building it. Documents parsed without the option never reach this file's code.
extension JSONParser {
    /// What a container being parsed is, on the way to the `managedFields` to skip.
    enum Role: UInt8 {
        /// Anything else: parsed in full.
        case plain
        /// A watch event: its `object` member is a Kubernetes object.
        case watchEvent
        /// A list: its `items` member holds Kubernetes objects.
        case list
        /// A list's `items` array: each element is a Kubernetes object.
        case items
        /// A Kubernetes object: its `metadata` member is object metadata.
        case object
        /// Object metadata: its `managedFields` member is skipped.
        case metadata
        /// Not a container: the member to skip.
        case skipped

        /// The role of the value of member `key` of an object of this role.
        @inline(__always) func member(_ key: String) -> Role {
            switch self {
            case .watchEvent: return key == "object" ? .object : .plain
            case .list: return key == "items" ? .items : .plain
            case .object: return key == "metadata" ? .metadata : .plain
            case .metadata: return key == "managedFields" ? .skipped : .plain
            case .plain, .items, .skipped: return .plain
            }
        }

        /// The role of a document parsed with `options`.
        init(_ options: JSON.ParseOptions) {
            switch options.skipsManagedFields {
            case nil: self = .plain
            case .document: self = .object
            case .watchEvent: self = .watchEvent
            case .listItems: self = .list
            }
        }
    }

    // MARK: Containers on the way to a skipped member

    /// ``parseValue(depth:)`` for a value of `role`: containers go to the role-aware copies below.
    mutating func parseValue(depth: Int, role: Role) throws(JSONError) -> Value {
        guard i < end else { throw error("unexpected end of input, expected a JSON value") }
        switch base[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1, role: role)
        case UInt8(ascii: "["):
            return role == .items ? try parseItems(depth: depth + 1) : try parseArray(depth: depth + 1)
        default: return try parseValue(depth: depth)
        }
    }

    /// ``parseObject(depth:)`` (same checks, errors and duplicate handling) whose members get their
    /// role from `role`; the member to skip is checked by ``skipValue(depth:)`` and left out.
    mutating func parseObject(depth: Int, role: Role) throws(JSONError) -> Value {
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        i += 1  // {
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "}") {
            i += 1
            return .object(Value.Object())
        }
        let first = entryStack.count
        defer { entryStack.pop(to: first) }
        var seen: [String: Int]? = nil
        while true {
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: "\"") else {
                throw error(i < end ? "expected a string key, found \(describeByte(at: i))" : "unexpected end of input inside an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: ":") else {
                throw error(i < end ? "expected ':' after object key, found \(describeByte(at: i))" : "unexpected end of input inside an object")
            }
            i += 1
            skipWhitespace()
            let memberRole = role.member(key)
            if memberRole == .skipped {
                // Checked as if parsed, never built: nothing to store, nothing to de-duplicate.
                try skipValue(depth: depth)
            } else {
                let value = memberRole == .plain ? try parseValue(depth: depth) : try parseValue(depth: depth, role: memberRole)
                addMember(key, value, first: first, seen: &seen)
            }
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input inside an object, expected ',' or '}'") }
            let c = base[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(Value.Object(uniqueEntries: entryStack.popArray(from: first))) }
            i -= 1
            throw error("expected ',' or '}' in an object, found \(describeByte(at: i))")
        }
    }

    /// ``parseArray(depth:)`` for a list's `items`: each element is a Kubernetes object.
    mutating func parseItems(depth: Int) throws(JSONError) -> Value {
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        i += 1  // [
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "]") {
            i += 1
            return .array([])
        }
        let first = valueStack.count
        defer { valueStack.pop(to: first) }
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth, role: .object)
            valueStack.append(element)
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input inside an array, expected ',' or ']'") }
            let c = base[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(valueStack.popArray(from: first)) }
            i -= 1
            throw error("expected ',' or ']' in an array, found \(describeByte(at: i))")
        }
    }

    // MARK: Skipping

    /// Moves past one value, checking it exactly as ``parseValue(depth:role:)`` would (same errors at
    /// the same offsets, same depth limit) without building it.
    mutating func skipValue(depth: Int) throws(JSONError) {
        guard i < end else { throw error("unexpected end of input, expected a JSON value") }
        switch base[i] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected \(describeByte(at: i)), expected a JSON value")
        }
    }

    mutating func skipObject(depth: Int) throws(JSONError) {
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        i += 1  // {
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: "\"") else {
                throw error(i < end ? "expected a string key, found \(describeByte(at: i))" : "unexpected end of input inside an object")
            }
            try skipString()
            skipWhitespace()
            guard i < end, base[i] == UInt8(ascii: ":") else {
                throw error(i < end ? "expected ':' after object key, found \(describeByte(at: i))" : "unexpected end of input inside an object")
            }
            i += 1
            skipWhitespace()
            try skipValue(depth: depth)
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input inside an object, expected ',' or '}'") }
            let c = base[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return }
            i -= 1
            throw error("expected ',' or '}' in an object, found \(describeByte(at: i))")
        }
    }

    mutating func skipArray(depth: Int) throws(JSONError) {
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        i += 1  // [
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            skipWhitespace()
            try skipValue(depth: depth)
            skipWhitespace()
            guard i < end else { throw error("unexpected end of input inside an array, expected ',' or ']'") }
            let c = base[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return }
            i -= 1
            throw error("expected ',' or ']' in an array, found \(describeByte(at: i))")
        }
    }

    /// Checks a string as ``parseString()`` does. ASCII strings (the whole of managedFields, whose
    /// `k:{...}` keys are full of escaped quotes) are checked without allocating.
    mutating func skipString() throws(JSONError) {
        let (start, raw, hasEscape, hasNonASCII) = try scanString()
        guard hasEscape || hasNonASCII else { return }
        if hasNonASCII {
            // Rare here: build and drop it, which checks UTF-8 and escapes in parseString's order.
            if hasEscape {
                _ = try unescape(raw, offset: start)
            } else if String(validating: raw, as: UTF8.self) == nil {
                i = start
                throw error("invalid UTF-8 in string")
            }
            return
        }
        try checkEscapes(raw, offset: start)
    }

    /// The escape checks of ``unescape(_:offset:)``, same errors and offsets, without decoding. With
    /// ASCII contents and valid escapes the decoded string is always valid UTF-8.
    mutating func checkEscapes(_ raw: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONError) {
        var k = 0
        while k < raw.count {
            if raw[k] != UInt8(ascii: "\\") {
                k += 1
                continue
            }
            guard k + 1 < raw.count else { break }
            let e = raw[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                guard let scalar = hex4(raw, k) else {
                    i = offset + k - 2
                    throw error("invalid \\u escape: expected four hex digits")
                }
                k += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard k + 5 < raw.count + 0, raw[k] == UInt8(ascii: "\\"), raw[k + 1] == UInt8(ascii: "u"),
                        let low = hex4(raw, k + 2), (0xDC00...0xDFFF).contains(low)
                    else {
                        i = offset + k - 6
                        throw error("unpaired surrogate in \\u escape")
                    }
                    k += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    i = offset + k - 6
                    throw error("unpaired surrogate in \\u escape")
                }
            default:
                i = offset + k - 2
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
            }
        }
    }
}
