import Testing

@testable import TendValue

/// The parser builds short ASCII strings in the standard library's inline layout. These tests pin
/// that the strings it builds are indistinguishable from the standard library's own.
@Suite struct SmallStringTests {
    @Test func theLayoutCheckPassesOnSixtyFourBitLittleEndianPlatforms() {
        #if _pointerBitWidth(_64) && _endian(little)
            #expect(SmallASCIIString.isAvailable)
        #endif
    }

    /// Every length from 0 to 16 at every offset near the end of the buffer (where fewer than 16
    /// bytes may be read), compared with strings built by the standard library.
    @Test func parsedShortStringsBehaveLikeStandardLibraryStrings() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019-_./: ~!@#$%^&*()[]{}|;',<>?".utf8)  // no quote or backslash
        for count in 0...16 {
            for _ in 0..<20 {
                let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
                let expected = String(decoding: bytes, as: UTF8.self)
                for padding in [0, 1, 7, 20] {
                    let text = "\"" + expected + "\"" + String(repeating: " ", count: padding)
                    let parsed = try JSON.parse(text)
                    guard case .string(let s) = parsed else {
                        Issue.record("not a string: \(parsed)")
                        continue
                    }
                    #expect(s == expected)
                    #expect(s.utf8.count == count)
                    #expect(s.hashValue == expected.hashValue)
                    #expect(Array(s.utf8) == bytes)
                    #expect(Set([s, expected]).count == 1)
                    var grown = s
                    grown += "é-suffix"
                    #expect(grown == expected + "é-suffix")
                }
            }
        }
    }

    @Test func keysBuiltInlineStillCollapseDuplicatesAndKeepDistinctKeys() throws {
        let v = try JSON.parse(#"{"name":1,"names":2,"name":3,"nam\u0065":4,"a-very-long-key-name":5,"a-very-long-key-name":6}"#)
        #expect(v.objectValue?.keys == ["name", "names", "a-very-long-key-name"])
        #expect(v["name"] == 4)
        #expect(v["names"] == 2)
        #expect(v["a-very-long-key-name"] == 6)
    }

    @Test func equalityShortcutAgreesWithStringEquality() {
        let samples = ["", "a", "b", "ab", "name", "names", "abcdefghijklmno", "abcdefghijklmnop", "é", "e\u{301}", "\u{e9}"]
        for a in samples {
            for b in samples {
                #expect(SmallASCIIString.equal(a, b) == (a == b), "\(a) vs \(b)")
            }
        }
    }
}
