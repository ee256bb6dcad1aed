import TendValue

/// Encoders: cel-go's `base64.encode(bytes)` / `base64.decode(string)` (padded or not),
/// `sha256(string | bytes)` (lowercase hex, for checksums), and kro's `json.marshal(value)`
/// (compact JSON, map keys sorted, as Go's encoding/json writes them) / `json.unmarshal(string)`.
extension FunctionTable {
    mutating func addEncoders() {
        add("base64.encode", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .bytes(let b) = v else { throw .noOverload("base64.encode", v) }
            return .string(Base64.encode(b))
        }
        add("base64.decode", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("base64.decode", v) }
            guard let b = Base64.decode(s) else { throw CELError("base64.decode: invalid base64 \(quoteString(s))") }
            return .bytes(b)
        }
        add("sha256", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .string(let s): return .string(SHA256.hex(Array(s.utf8)))
            case .bytes(let b): return .string(SHA256.hex(b))
            default: throw .noOverload("sha256", v)
            }
        }
        add("json.marshal", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            try v.checkJSONEncodable()
            return .string(JSON.serialize(v.toValue(), options: .sortedKeys))
        }
        add("json.unmarshal", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("json.unmarshal", v) }
            do throws(JSONError) {
                return CELValue(try JSON.parse(s))
            } catch {
                throw CELError("json.unmarshal: \(error)")
            }
        }
    }
}

extension CELValue {
    /// Throws for what JSON cannot represent: NaN and infinities.
    func checkJSONEncodable() throws(CELError) {
        switch self {
        case .double(let d) where !d.isFinite: throw CELError("json.marshal: \(formatDouble(d)) cannot be encoded as JSON")
        case .list(let l): for x in l { try x.checkJSONEncodable() }
        case .map(let m): for (_, x) in m { try x.checkJSONEncodable() }
        case .optional(let o?): try o.checkJSONEncodable()
        default: break
        }
    }
}

extension Base64 {
    /// Decodes standard base64, padded or unpadded (as cel-go accepts both); line breaks are
    /// ignored. Nil for anything else.
    static func decode(_ s: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for c in s.utf8 where c != 0x0A && c != 0x0D {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        if padding > 0, (values.count + padding) % 4 != 0 || padding > 2 { return nil }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (j, v) in chunk.enumerated() { n |= UInt32(v) << (18 - 6 * UInt32(j)) }
            let bytes = [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            out += bytes.prefix(chunk.count - 1)
            i += 4
        }
        return out
    }
}
