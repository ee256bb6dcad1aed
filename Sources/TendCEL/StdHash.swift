internal import Foundation

/// kro's hash library, for rules imported from kro: `hash.sha256(string)`, `hash.fnv64a(string)`
/// and `hash.md5(string)`, each the digest as bytes (`base64.encode(hash.sha256(s))`, or
/// `sha256(s)` for hex). FNV-1a 64 gives its 8 bytes big-endian, as Go's `hash.Sum` does.
extension FunctionTable {
    mutating func addHashes() {
        func digest(_ name: String, _ f: @escaping @Sendable ([UInt8]) -> [UInt8]) -> @Sendable (CELValue) throws(CELError) -> CELValue {
            { (v: CELValue) throws(CELError) -> CELValue in
                guard case .string(let s) = v else { throw .noOverload(name, v) }
                return .bytes(f(Array(s.utf8)))
            }
        }
        let sha256: @Sendable (CELValue) throws(CELError) -> CELValue = digest("hash.sha256", SHA256.digest)
        add("hash.sha256", global: true, sha256)
        let fnv: @Sendable (CELValue) throws(CELError) -> CELValue = digest("hash.fnv64a", FNV64a.digest)
        add("hash.fnv64a", global: true, fnv)
        let md5: @Sendable (CELValue) throws(CELError) -> CELValue = digest("hash.md5", MD5.digest)
        add("hash.md5", global: true, md5)
    }
}

/// FNV-1a, 64 bits.
enum FNV64a {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in message {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * UInt64($0))) }
    }
}

/// MD5 (RFC 1321), only as kro's `hash.md5` offers it: not for security.
enum MD5 {
    static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                   5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                   4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                   6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// floor(abs(sin(i + 1)) * 2^32)
    static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296.0)) }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var bytes = message
        let bitLength = UInt64(message.count) &* 8
        bytes.append(0x80)
        while bytes.count % 64 != 56 { bytes.append(0) }
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xefcd_ab89, c0: UInt32 = 0x98ba_dcfe, d0: UInt32 = 0x1032_5476
        for chunk in stride(from: 0, to: bytes.count, by: 64) {
            var m = [UInt32](repeating: 0, count: 16)
            for i in 0..<16 {
                let o = chunk + 4 * i
                m[i] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ constants[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ (f << shifts[i] | f >> (32 - shifts[i]))
            }
            a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
        }
        return [a0, b0, c0, d0].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    }
}
