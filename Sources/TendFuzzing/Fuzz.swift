import Foundation

// Test support for the parser fuzz suites (Tests/*/…FuzzTests.swift); not part of any product.

/// Deterministic mutation fuzzing shared by the parser fuzz suites: a seeded SplitMix64 generator and
/// byte-level mutations (flips, special bytes, deletions, duplicated slices, truncation).
///
/// `TEND_FUZZ_ITERATIONS` sets the number of mutations per seed (default: a fast run); `TEND_FUZZ_SEED`
/// changes the starting seed, to explore further in long local runs.
public enum Fuzz {
    public static func iterations(default fast: Int) -> Int {
        ProcessInfo.processInfo.environment["TEND_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? fast
    }

    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TEND_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x7E4D_F022
    }

    /// Byte sequences that make parsers change state: structure, quotes, escapes, invalid UTF-8.
    public static let specials: [[UInt8]] = [
        [0x22], [0x5C], [0x7B], [0x5B], [0x5D], [0x7D], [0x3A], [0x2C], [0x00], [0x0A], [0x09], [0x20],
        [0x80], [0xBF], [0xC0], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xFE],
        Array(#"\u"#.utf8), Array(#"\uD800"#.utf8), Array(#"\uDC00"#.utf8), Array(#"\uD83D\uDE00"#.utf8),
        Array(#"\u00"#.utf8), Array(#"\uZZZZ"#.utf8), Array("-".utf8), Array("0".utf8), Array("1e".utf8),
        Array("-0.".utf8), Array("1e400".utf8), Array("9223372036854775808".utf8), Array("true".utf8),
        Array("nul".utf8), Array("'".utf8), Array("#".utf8), Array("---\n".utf8), Array("&a ".utf8), Array("*a".utf8),
        Array("${".utf8), Array("}".utf8), Array("(".utf8), Array(")".utf8), Array("!".utf8), Array("- ".utf8),
        Array("é".utf8), Array("😀".utf8), [0x0D], [0x7F],
    ]
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seeded, reproducible.
public struct FuzzRNG: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

/// Applies one to four random mutations to `input`.
public func mutate(_ input: [UInt8], _ rng: inout FuzzRNG, specials: [[UInt8]] = Fuzz.specials) -> [UInt8] {
    var b = input
    for _ in 0...rng.below(4) {
        let at = rng.below(b.count + 1)
        switch rng.below(7) {
        case 0 where !b.isEmpty:  // flip one bit
            let k = min(at, b.count - 1)
            b[k] ^= UInt8(1) << UInt8(rng.below(8))
        case 1 where !b.isEmpty:  // replace with a random byte
            b[min(at, b.count - 1)] = UInt8(truncatingIfNeeded: rng.next())
        case 2, 3:  // insert a special sequence
            b.insert(contentsOf: specials[rng.below(specials.count)], at: at)
        case 4:  // delete a short range
            let n = min(b.count - at, 1 + rng.below(8))
            b.removeSubrange(at..<(at + n))
        case 5:  // duplicate a slice somewhere else
            let n = min(b.count - at, rng.below(64))
            let slice = Array(b[at..<(at + n)])
            b.insert(contentsOf: slice, at: rng.below(b.count + 1))
        default:  // truncate
            b.removeSubrange(at...)
        }
    }
    return b
}

/// Whether `line:column` (1-based, columns in Unicode scalars) points into `text` or just past the end
/// of a line. Lines end at LF, or also at CR and CRLF when `crBreaksLines` (YAML's line breaks).
public func locationIsInside(_ text: [UInt8], line: Int, column: Int, crBreaksLines: Bool = false) -> Bool {
    let lines = String(decoding: text, as: UTF8.self).split(omittingEmptySubsequences: false) {
        $0 == "\n" || $0 == "\r\n" || (crBreaksLines && $0 == "\r")
    }
    guard line >= 1, line <= lines.count, column >= 1 else { return false }
    return column <= lines[line - 1].unicodeScalars.count + 1
}

/// The input, shortened, with bytes other than printable ASCII and newlines escaped.
public func show(_ input: [UInt8]) -> String {
    let text = input.prefix(400).map { b -> String in
        (0x20..<0x7F).contains(b) || b == 0x0A ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }.joined()
    return input.count > 400 ? text + "... (\(input.count) bytes)" : text
}
