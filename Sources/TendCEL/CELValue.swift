public import TendValue

/// A CEL runtime value.
///
/// CEL has more types than JSON (`uint`, `bytes`, `timestamp`, `duration`, type values), so the
/// interpreter works on `CELValue`, not on ``TendValue/Value``. Conversion from `Value` is O(1):
/// lists and maps wrap the `Value` storage lazily (see ``CELList`` and ``CELMap``), so selecting
/// `self.spec.replicas` touches only the path it selects.
public enum CELValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list(CELList)
    case map(CELMap)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case type(CELType)
    /// An optional value (`optional.of(x)`: `.optional(x)`, `optional.none()`: `.optional(nil)`).
    indirect case optional(CELValue?)
    /// A value of a library type (Kubernetes URL, IP address, CIDR, quantity), boxed so that the
    /// common cases stay small.
    indirect case opaque(CELOpaque)

    /// Wraps a JSON value without copying it.
    public init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(CELList(json: a))
        case .object(let o): self = .map(CELMap(json: o))
        }
    }

    /// The CEL type of this value (what `type(x)` returns).
    public var celType: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list
        case .map: .map
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type
        case .optional: .optional
        case .opaque(let o): o.celType
        }
    }

    /// Converts to the JSON value model, the form templates write into objects.
    ///
    /// `uint` becomes an integer (a double when above `Int64.max`), bytes become base64, timestamps
    /// RFC 3339 strings, durations strings like `"1.5s"`, types their name. Map keys become strings
    /// (non-string keys in their CEL string form). An optional becomes its value (`null` when it
    /// has none); URLs, IP addresses, CIDRs and quantities their string form.
    public func toValue() -> Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(Base64.encode(b))
        case .list(let l):
            if case .json(let a) = l.storage { return .array(a) }
            return .array(l.map { $0.toValue() })
        case .map(let m):
            if case .json(let o) = m.storage { return .object(o) }
            var o = Value.Object(minimumCapacity: m.count)
            for (k, v) in m {
                let key: String =
                    if case .string(let s) = k { s } else { k.displayString }
                o[key] = v.toValue()
            }
            return .object(o)
        case .timestamp(let t): return .string(t.description)
        case .duration(let d): return .string(d.description)
        case .type(let t): return .string(t.name)
        case .optional(let v): return v?.toValue() ?? .null
        case .opaque(let o): return .string(o.description)
        }
    }

    /// A readable form for messages and interpolation of scalars (strings unquoted).
    var displayString: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .uint(let u): String(u)
        case .double(let d): formatDouble(d)
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .timestamp(let t): t.description
        case .duration(let d): d.description
        case .type(let t): t.name
        case .opaque(let o): o.description
        case .list, .map, .optional: celLiteral
        }
    }

    /// The value written as a CEL literal (for messages): strings quoted, `1u`, `[1, 2]`, `{"a": 1}`.
    var celLiteral: String {
        switch self {
        case .string(let s): return quoteString(s)
        case .uint(let u): return "\(u)u"
        case .bytes(let b): return "b" + quoteString(String(decoding: b, as: UTF8.self))
        case .list(let l): return "[" + l.map(\.celLiteral).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.celLiteral): \($1.celLiteral)" }.joined(separator: ", ") + "}"
        case .timestamp(let t): return "timestamp(\"\(t)\")"
        case .duration(let d): return "duration(\"\(d)\")"
        case .optional(let v): return v.map { "optional.of(\($0.celLiteral))" } ?? "optional.none()"
        case .opaque(let o): return o.celLiteral
        default: return displayString
        }
    }

    var isBool: Bool { if case .bool = self { true } else { false } }
}

/// `double` to string the way CEL's `string(double)` does: shortest round-trip form.
func formatDouble(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Infinity" : "+Infinity" }
    if d == d.rounded(), abs(d) < 1e21 {
        // 3.0 prints as "3" in cel-go (Go's strconv 'g' / JSON style).
        if let i = Int64(exactly: d) { return String(i) }
    }
    return "\(d)"
}

func quoteString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += "\\x" + String(u.value, radix: 16, uppercase: false).leftPad(2) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

extension String {
    func leftPad(_ n: Int, _ c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}

/// The CEL types, as values (`type(1) == int`).
public enum CELType: Sendable, Hashable, CustomStringConvertible {
    case null, bool, int, uint, double, string, bytes, list, map, timestamp, duration, type
    case optional
    /// The Kubernetes library types: `url()`, `ip()`, `cidr()`, `quantity()`.
    case url, ip, cidr, quantity

    /// The name CEL uses for the type.
    public var name: String {
        switch self {
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .list: "list"
        case .map: "map"
        case .timestamp: "google.protobuf.Timestamp"
        case .duration: "google.protobuf.Duration"
        case .type: "type"
        case .optional: "optional_type"
        case .url: "kubernetes.URL"
        case .ip: "net.IP"
        case .cidr: "net.CIDR"
        case .quantity: "kubernetes.Quantity"
        }
    }

    public var description: String { name }

    /// Type identifiers resolvable in expressions.
    static let byName: [String: CELType] = [
        "null_type": .null, "bool": .bool, "int": .int, "uint": .uint, "double": .double,
        "string": .string, "bytes": .bytes, "list": .list, "map": .map, "type": .type,
        "google.protobuf.Timestamp": .timestamp, "google.protobuf.Duration": .duration,
        "optional_type": .optional, "kubernetes.URL": .url, "net.IP": .ip, "net.CIDR": .cidr,
        "kubernetes.Quantity": .quantity,
    ]
}

enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
