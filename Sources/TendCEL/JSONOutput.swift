import TendValue

extension CELValue {
    /// The value as compact JSON text, for `tend eval` and debugging output: `int` and `uint` as
    /// numbers, bytes as base64 strings, timestamps as RFC 3339 strings, durations like `"1.5s"`,
    /// types by name, NaN and infinities as the strings `"NaN"`, `"+Infinity"`, `"-Infinity"`.
    /// Map keys that are not strings are written in their string form.
    public var jsonText: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            if d.isFinite {
                out += d == d.rounded() && abs(d) < 1e16 ? String(Int64(d)) + ".0" : "\(d)"
            } else {
                out += quoteJSON(formatDouble(d))
            }
        case .string(let s): out += quoteJSON(s)
        case .bytes(let b): out += quoteJSON(Base64.encode(b))
        case .timestamp(let t): out += quoteJSON(t.description)
        case .duration(let d): out += quoteJSON(d.description)
        case .type(let t): out += quoteJSON(t.name)
        case .optional(let v):
            if let v { v.writeJSON(into: &out) } else { out += "null" }
        case .opaque(let o): out += quoteJSON(o.description)
        case .list(let l):
            out += "["
            for (i, x) in l.enumerated() {
                if i > 0 { out += "," }
                x.writeJSON(into: &out)
            }
            out += "]"
        case .map(let m):
            out += "{"
            var first = true
            for (k, v) in m {
                if !first { out += "," }
                first = false
                if case .string(let s) = k { out += quoteJSON(s) } else { out += quoteJSON(k.displayString) }
                out += ":"
                v.writeJSON(into: &out)
            }
            out += "}"
        }
    }
}

/// A JSON string literal, escaped by TendValue's JSON writer.
func quoteJSON(_ s: String) -> String { JSON.serialize(.string(s)) }
