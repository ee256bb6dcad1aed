/// An IP address of the Kubernetes IP library (`ip("10.0.0.1")`): IPv4 or IPv6, without a zone;
/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are rejected, as the API server does.
public struct CELIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    let bytes: [UInt8]
    var isV4: Bool { bytes.count == 4 }

    init(bytes: [UInt8]) { self.bytes = bytes }

    init?(_ s: String) {
        if s.contains(".") && !s.contains(":") {
            guard let b = Self.parseV4(Substring(s)) else { return nil }
            bytes = b
        } else {
            guard let b = Self.parseV6(s), !(b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xFF && b[11] == 0xFF) else { return nil }
            bytes = b
        }
    }

    static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), p == "0" || !p.hasPrefix("0"),
                  let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    static func parseV6(_ s: String) -> [UInt8]? {
        guard !s.contains("%") else { return nil }
        var halves = [s]
        if let r = s.firstRange(of: "::") { halves = [String(s[..<r.lowerBound]), String(s[r.upperBound...])] }
        guard halves.count == 1 || halves[1].firstRange(of: "::") == nil else { return nil }
        func groups(_ part: String, allowV4: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, f) in fields.enumerated() {
                if allowV4, i == fields.count - 1, f.contains(".") {
                    guard let v4 = parseV4(f) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(f.count), let v = UInt16(f, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        if halves.count == 1 {
            guard let b = groups(halves[0], allowV4: true), b.count == 16 else { return nil }
            return b
        }
        guard let head = groups(halves[0], allowV4: false), let tail = groups(halves[1], allowV4: true),
              head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Dotted decimal, or RFC 5952 text for IPv6 (the longest run of two or more zero groups
    /// written `::`).
    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        let g = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0), i = 0
        while i < 8 {
            var j = i
            while j < 8, g[j] == 0 { j += 1 }
            if j - i > best.length, j - i >= 2 { best = (i, j - i) }
            i = j + 1
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        guard best.start >= 0 else { return hex(0..<8) }
        return hex(0..<best.start) + "::" + hex((best.start + best.length)..<8)
    }

    var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }
    var isLoopback: Bool { isV4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1] }
    var isMulticast: Bool { isV4 ? bytes[0] & 0xF0 == 0xE0 : bytes[0] == 0xFF }
    var isLinkLocalMulticast: Bool { isV4 ? bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0 : bytes[0] == 0xFF && bytes[1] & 0x0F == 0x02 }
    var isLinkLocalUnicast: Bool { isV4 ? bytes[0] == 169 && bytes[1] == 254 : bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 }
    var isGlobalUnicast: Bool {
        if isV4 && bytes == [255, 255, 255, 255] { return false }
        return !isUnspecified && !isLoopback && !isMulticast && !isLinkLocalUnicast
    }

    /// The first `bits` bits kept, the rest zero.
    func masked(_ bits: Int) -> CELIPAddress {
        CELIPAddress(bytes: bytes.enumerated().map { i, b in
            let keep = max(0, min(8, bits - 8 * i))
            return keep == 8 ? b : b & ~(UInt8(0xFF) >> UInt8(keep))
        })
    }
}

/// An IP prefix of the Kubernetes CIDR library (`cidr("10.0.0.0/8")`).
public struct CELCIDR: Sendable, Hashable, CustomStringConvertible {
    let address: CELIPAddress
    let prefixLength: Int

    init?(_ s: String) {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = CELIPAddress(String(parts[0])), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              !parts[1].isEmpty, parts[1] == "0" || !parts[1].hasPrefix("0"),
              let n = Int(parts[1]), n <= a.bytes.count * 8 else { return nil }
        address = a
        prefixLength = n
    }

    init(address: CELIPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }

    func contains(_ ip: CELIPAddress) -> Bool {
        ip.isV4 == address.isV4 && ip.masked(prefixLength) == address.masked(prefixLength)
    }

    func contains(_ other: CELCIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }
}

/// The Kubernetes IP and CIDR libraries: `ip(s)`, `isIP(s)`, `ip.isCanonical(s)`, and on an IP
/// `family()`, `isUnspecified()`, `isLoopback()`, `isLinkLocalMulticast()`,
/// `isLinkLocalUnicast()`, `isGlobalUnicast()`; `cidr(s)`, `isCIDR(s)`, and on a CIDR
/// `containsIP(ip | string)`, `containsCIDR(cidr | string)`, `ip()`, `masked()`,
/// `prefixLength()`. `string(x)` writes either back.
extension FunctionTable {
    mutating func addNetwork() {
        addURL()
        // `ip(string)` parses; `cidr.ip()` is the prefix's address (one implementation: both
        // take one argument in total).
        add("ip", global: true, member: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .string(let s):
                guard let a = CELIPAddress(s) else { throw CELError("IP Address \(quoteString(s)) parse error during conversion from string") }
                return .opaque(.ip(a))
            case .opaque(.cidr(let cidr)): return .opaque(.ip(cidr.address))
            default: throw .noOverload("ip", v)
            }
        }
        add("isIP", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("isIP", v) }
            return .bool(CELIPAddress(s) != nil)
        }
        add("ip.isCanonical", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("ip.isCanonical", v) }
            guard let a = CELIPAddress(s) else { throw CELError("IP Address \(quoteString(s)) parse error during conversion from string") }
            return .bool(a.description == s)
        }
        let tests: [(String, @Sendable (CELIPAddress) -> CELValue)] = [
            ("family", { .int($0.isV4 ? 4 : 6) }), ("isUnspecified", { .bool($0.isUnspecified) }),
            ("isLoopback", { .bool($0.isLoopback) }), ("isLinkLocalMulticast", { .bool($0.isLinkLocalMulticast) }),
            ("isLinkLocalUnicast", { .bool($0.isLinkLocalUnicast) }), ("isGlobalUnicast", { .bool($0.isGlobalUnicast) }),
        ]
        for (name, f) in tests {
            add(name, member: true) { (v: CELValue) throws(CELError) -> CELValue in
                guard case .opaque(.ip(let a)) = v else { throw .noOverload(name, v) }
                return f(a)
            }
        }
        add("cidr", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("cidr", v) }
            guard let c = CELCIDR(s) else { throw CELError("network address \(quoteString(s)) parse error during conversion from string") }
            return .opaque(.cidr(c))
        }
        add("isCIDR", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("isCIDR", v) }
            return .bool(CELCIDR(s) != nil)
        }
        add("containsIP", member: true) { (c: CELValue, x: CELValue) throws(CELError) -> CELValue in
            guard case .opaque(.cidr(let cidr)) = c else { throw .noOverload("containsIP", c, x) }
            switch x {
            case .opaque(.ip(let a)): return .bool(cidr.contains(a))
            case .string(let s):
                guard let a = CELIPAddress(s) else { throw CELError("IP Address \(quoteString(s)) parse error during conversion from string") }
                return .bool(cidr.contains(a))
            default: throw .noOverload("containsIP", c, x)
            }
        }
        add("containsCIDR", member: true) { (c: CELValue, x: CELValue) throws(CELError) -> CELValue in
            guard case .opaque(.cidr(let cidr)) = c else { throw .noOverload("containsCIDR", c, x) }
            switch x {
            case .opaque(.cidr(let other)): return .bool(cidr.contains(other))
            case .string(let s):
                guard let other = CELCIDR(s) else { throw CELError("network address \(quoteString(s)) parse error during conversion from string") }
                return .bool(cidr.contains(other))
            default: throw .noOverload("containsCIDR", c, x)
            }
        }
        add("masked", member: true) { (c: CELValue) throws(CELError) -> CELValue in
            guard case .opaque(.cidr(let cidr)) = c else { throw .noOverload("masked", c) }
            return .opaque(.cidr(CELCIDR(address: cidr.address.masked(cidr.prefixLength), prefixLength: cidr.prefixLength)))
        }
        add("prefixLength", member: true) { (c: CELValue) throws(CELError) -> CELValue in
            guard case .opaque(.cidr(let cidr)) = c else { throw .noOverload("prefixLength", c) }
            return .int(Int64(cidr.prefixLength))
        }
    }
}
