/// Serializes ``Value`` to JSON bytes.
///
/// Numbers: `.int` prints exactly. A `.double` with an integral value below 2^53 prints without a
/// fraction (`1000`, as Go's encoding/json does), so values that came from YAML like `1e3` are
/// accepted by API fields of integer type; other doubles print in the shortest form that parses
/// back to the same double. NaN and infinities have no JSON form and print as `null`.
struct JSONWriter {
    var bytes: [UInt8] = []
    let pretty: Bool
    let sorted: Bool
    let exact: Bool

    init(options: JSON.SerializationOptions) {
        pretty = options.contains(.prettyPrinted)
        sorted = options.contains(.sortedKeys)
        exact = options.contains(.exactNumbers)
        bytes.reserveCapacity(1024)
    }

    mutating func write(_ value: Value, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let n): append(String(n))
        case .double(let d): append(exact && d.isFinite ? d.description : Self.format(d))
        case .string(let s): writeString(s)
        case .array(let a):
            if a.isEmpty {
                append("[]")
                return
            }
            bytes.append(UInt8(ascii: "["))
            for (n, element) in a.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty {
                append("{}")
                return
            }
            bytes.append(UInt8(ascii: "{"))
            var entries = o.entries
            if sorted { entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            for (n, entry) in entries.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writeString(entry.key)
                bytes.append(UInt8(ascii: ":"))
                if pretty { bytes.append(UInt8(ascii: " ")) }
                write(entry.value, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 {
            if d == 0 && d.sign == .minus { return "-0.0" }
            return String(Int64(d))
        }
        return d.description  // Swift prints the shortest round-tripping form, e.g. 0.1, 1e-07, 1e+300
    }

    private mutating func newline(_ depth: Int) {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<(depth * 2) { bytes.append(0x20) }
    }

    private mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    /// Copies runs of bytes that need no escape in one step (most strings are one run).
    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for (i, c) in utf8.enumerated() where c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                writeEscape(c)
                start = i + 1
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscape(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let digits = Array("0123456789abcdef".utf8)
            append("\\u00")
            bytes.append(digits[Int(c >> 4)])
            bytes.append(digits[Int(c & 0xF)])
        }
    }
}
