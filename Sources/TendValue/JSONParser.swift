#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A single-pass recursive-descent JSON parser over a byte buffer.
///
/// Hot path notes: bytes are read through a raw pointer without bounds-checked collections; strings
/// without escapes are decoded with one validating copy; small integers are accumulated directly.
///
/// With ``JSON/ParseOptions/skipsManagedFields`` set, the objects at the given position have their
/// `metadata.managedFields` checked but not built (``skipValue(depth:)``). The few containers on the
/// way there (the event or list, the object, its metadata) are parsed by role-aware copies of
/// ``parseObject(depth:)`` and ``parseArray(depth:)``; everything else, and every document parsed
/// without the option, goes through the plain functions, untouched (an extra role test per member
/// there cost 10 % on ConfigMap events).
struct JSONParser {
    let base: UnsafePointer<UInt8>
    let end: Int
    var i = 0
    let buffer: UnsafeRawBufferPointer
    let entryStack = ScratchStack<Value.Object.Entry>()
    let valueStack = ScratchStack<Value>()
    let buildsSmallStrings = SmallASCIIString.isAvailable

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        if let b = buffer.baseAddress, buffer.count > 0 {
            base = b.assumingMemoryBound(to: UInt8.self)
            end = buffer.count
        } else {
            // An empty document: point at a static empty byte; `end == 0` keeps every read guarded.
            base = UnsafePointer(bitPattern: 1)!
            end = 0
        }
    }

    /// - Parameter rootRole: `.plain`, or where the objects whose managedFields to skip are.
    mutating func parseDocument(rootRole: Role = .plain) throws(JSONError) -> Value {
        skipWhitespace()
        if i == end { throw error("unexpected end of input, expected a JSON value") }
        let v = rootRole == .plain ? try parseValue(depth: 0) : try parseValue(depth: 0, role: rootRole)
        skipWhitespace()
        if i != end { throw error("unexpected \(describeByte(at: i)) after the JSON value") }
        return v
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(JSONError) -> Value {
        guard i < end else { throw error("unexpected end of input, expected a JSON value") }
        switch base[i] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeByte(at: i)), expected a JSON value")
        }
    }

    /// Adds a member to the object whose members start at `first` on the entry stack; a duplicate key
    /// keeps its first position and takes the last value (as Go's decoder does). Objects of 16 members
    /// or more check duplicates through `seen`, built on first need, so the check stays linear.
    @inline(__always)
    mutating func addMember(_ key: String, _ value: Value, first: Int, seen: inout [String: Int]?) {
        var duplicate: Int? = nil
        if entryStack.count - first < 16 {
            var n = first
            while n < entryStack.count {
                if buildsSmallStrings ? SmallASCIIString.equal(entryStack[n].key, key) : entryStack[n].key == key {
                    duplicate = n
                    break
                }
                n += 1
            }
        } else {
            let stack = entryStack
            var map = seen ?? Dictionary(uniqueKeysWithValues: (first..<stack.count).map { (stack[$0].key, $0) })
            duplicate = map[key]
            if duplicate == nil { map[key] = entryStack.count }
            seen = map
        }
        if let duplicate {
            entryStack[duplicate].value = value  // last value wins, first position kept
        } else {
            entryStack.append(Value.Object.Entry(key: key, value: value))
        }
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> Value {
        if depth > JSON.maximumDepth { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        i += 1  // {
        skipWhitespace()
        if i < end, base[i] == UInt8(ascii: "}") {
            i += 1
            return .object(Value.Object())
        }
        // Members collect on a shared scratch stack and are copied once into an exactly sized array.
        let first = entryStack.count
        defer { entryStack.pop(to: first) }
        var seen: [String: Int]? = nil  // built only for large objects, to keep duplicate checks linear
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
            let value = try parseValue(depth: depth)
            addMember(key, value, first: first, seen: &seen)
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

    mutating func parseArray(depth: Int) throws(JSONError) -> Value {
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
            let element = try parseValue(depth: depth)
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

    // MARK: Strings

    /// Scans the string starting at the opening quote at `i` and leaves `i` after its closing
    /// quote: the offset of its first content byte, its raw contents (escapes not decoded), and
    /// whether they hold escapes or non-ASCII bytes. Control characters and a missing closing quote
    /// are errors (the latter located at the opening quote).
    @inline(__always)
    mutating func scanString() throws(JSONError) -> (start: Int, raw: UnsafeBufferPointer<UInt8>, hasEscape: Bool, hasNonASCII: Bool) {
        let open = i
        i += 1  // opening quote
        let start = i
        var hasEscape = false
        var hasNonASCII = false
        // Skip 8 plain ASCII bytes at a time (no quote, backslash, control or non-ASCII byte).
        while i + 8 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high: UInt64 = 0x8080_8080_8080_8080
            let quote = v ^ (ones &* 0x22)
            let backslash = v ^ (ones &* 0x5C)
            let special =
                ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((v &- ones &* 0x20) & ~v) | v
            let found = special & high
            if found != 0 {
                // The lowest flagged byte is exact (borrows only create false positives above it).
                i += found.trailingZeroBitCount >> 3
                break
            }
            i += 8
        }
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                hasEscape = true
                i += 2
                continue
            }
            if c < 0x20 { throw error("control character U+00\(hex2(c)) must be escaped in a string") }
            if c >= 0x80 { hasNonASCII = true }
            i += 1
        }
        guard i < end else {
            i = open
            throw error("unterminated string")
        }
        let raw = UnsafeBufferPointer(start: base + start, count: i - start)
        i += 1  // closing quote
        return (start, raw, hasEscape, hasNonASCII)
    }

    mutating func parseString() throws(JSONError) -> String {
        let (start, raw, hasEscape, hasNonASCII) = try scanString()
        if !hasEscape {
            if !hasNonASCII {
                if raw.count <= SmallASCIIString.capacity, buildsSmallStrings {
                    return SmallASCIIString.make(base + start, count: raw.count, readable: end - start)
                }
                if raw.count > SmallASCIIString.capacity, let known = KnownKeys.lookup(raw) { return known }
                return String(decoding: raw, as: UTF8.self)
            }
            guard let s = String(validating: raw, as: UTF8.self) else {
                i = start
                throw error("invalid UTF-8 in string")
            }
            return s
        }
        return try unescape(raw, offset: start)
    }

    mutating func unescape(_ raw: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            let c = raw[k]
            if c != UInt8(ascii: "\\") {
                out.append(c)
                k += 1
                continue
            }
            guard k + 1 < raw.count else { break }
            let e = raw[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(raw, k) else {
                    i = offset + k - 2
                    throw error("invalid \\u escape: expected four hex digits")
                }
                k += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard k + 5 < raw.count + 0, raw[k] == UInt8(ascii: "\\"), raw[k + 1] == UInt8(ascii: "u"),
                        let low = hex4(raw, k + 2), (0xDC00...0xDFFF).contains(low)
                    else {
                        i = offset + k - 6
                        throw error("unpaired surrogate in \\u escape")
                    }
                    k += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    i = offset + k - 6
                    throw error("unpaired surrogate in \\u escape")
                }
                appendUTF8(scalar, to: &out)
            default:
                i = offset + k - 2
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            i = offset
            throw error("invalid UTF-8 in string")
        }
        return s
    }

    func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= raw.count else { return nil }
        var v: UInt32 = 0
        for n in 0..<4 {
            let c = raw[at + n]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONError) -> Value {
        let start = i
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end, isDigit(base[i]) else { throw error("invalid number: expected a digit") }
        if base[i] == UInt8(ascii: "0"), i + 1 < end, isDigit(base[i + 1]) {
            throw error("invalid number: leading zeros are not allowed")
        }
        // Accumulate as a negative number so Int64.min parses exactly.
        var acc: Int64 = 0
        var overflow = false
        while i < end, isDigit(base[i]) {
            let d = Int64(base[i] &- UInt8(ascii: "0"))
            let (m, o1) = acc.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(d)
            if o1 || o2 { overflow = true } else { acc = s }
            i += 1
        }
        var isInteger = true
        if i < end, base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, isDigit(base[i]) else { throw error("invalid number: expected a digit after '.'") }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        if i < end, base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, isDigit(base[i]) else { throw error("invalid number: expected a digit in the exponent") }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        if isInteger && !overflow {
            if negative { return .int(acc) }
            if acc != Int64.min { return .int(-acc) }
        }
        // Correctly rounded conversion of the exact text.
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            i = start
            throw error("number \(text) is out of range")
        }
        return .double(d)
    }

    // MARK: Helpers

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        if i + n <= end {
            var ok = true
            for k in 0..<n where base[i + k] != w[k] { ok = false }
            if ok {
                i += n
                return
            }
        }
        throw error("unexpected \(describeByte(at: i)), expected a JSON value")
    }

    func describeByte(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        let c = base[offset]
        if c >= 0x21 && c < 0x7F { return "character '\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x\(hex2(c))"
    }

    func hex2(_ c: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(c >> 4)], digits[Int(c & 0xF)]])
    }

    /// An error at the current offset, with its line and column computed from the buffer.
    func error(_ message: String) -> JSONError {
        let offset = min(i, end)
        var line = 1
        var lineStart = 0
        for k in 0..<offset where base[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        // Column in Unicode scalars: count bytes that are not UTF-8 continuation bytes.
        var column = 1
        for k in lineStart..<offset where base[k] & 0xC0 != 0x80 { column += 1 }
        return JSONError(offset: offset, line: line, column: column, message: message)
    }
}
