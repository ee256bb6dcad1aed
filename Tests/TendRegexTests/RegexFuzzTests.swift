import Testing

@testable import TendRegex
import TendFuzzing

/// Mutation fuzzing of pattern compilation and matching: every pattern compiles or fails with an
/// ``RegexError`` located inside it; matching never crashes and ends within the backtracking limit.
@Suite struct RegexFuzzTests {
    static let patterns = [
        #"(\w+)=(\w+)?"#, "[a-z]+", "^(a+)+$", #"^item-(\d+)$"#, "^[a-z]+:[0-9.]+$", "(?i)abc", "o+b",
        #"^(?<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]+)*$"#, #"\p{L}+\s*\x{1F600}"#, "a{2,5}?|b*+|(?=c)d",
        #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#, "[^]\\]-]", "(a|b|c)\\1",
    ]

    static let regexSpecials: [[UInt8]] = [
        "(", ")", "[", "]", "{", "}", "{2,1}", "*", "+", "?", "|", "\\", "\\1", "\\p{", "\\x{110000}", "(?<", "(?",
        "(?R)", "(*", "^", "$", ".", "-", "\\Q", "\\E", "\\c", "\\N{", "é", "😀",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xED, 0xA0, 0x80]]

    static let subjects = ["", "abc", "item-42", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "nginx:1.27", "é😀 x", "2026-11-29T01:00:00Z"]

    @Test func mutatedPatternsCompileOrFailCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 300)
        for pattern in Self.patterns {
            for _ in 0..<perSeed {
                let text = String(decoding: mutate(Array(pattern.utf8), &rng, specials: Self.regexSpecials), as: UTF8.self)
                let regex: Regex
                do {
                    regex = try Regex(text, options: rng.below(2) == 0 ? [] : .caseInsensitive)
                } catch {
                    #expect(error.code == .invalidPattern, "\(error)")
                    #expect(error.offset >= 0 && error.offset <= text.unicodeScalars.count, "\(error) outside \(text.debugDescription)")
                    continue
                }
                for subject in Self.subjects {
                    do {
                        _ = try regex.firstMatch(in: subject)
                    } catch {
                        #expect(error.code != .invalidPattern, "\(error)")
                    }
                }
            }
        }
    }

    /// PCRE2 limits parenthesis nesting (250) and the compiled size: long hostile patterns fail cleanly.
    @Test(arguments: ["(", "(?:", "[", "(a|", "\\Q(", "a{", "(?=", "x*"])
    func deepOrHugePatternsCompileOrFailCleanly(open: String) {
        let text = String(repeating: open, count: 100_000)
        do {
            _ = try Regex(text).matches(String(repeating: "x", count: 1_000))
        } catch {
            #expect(error.offset >= 0 && error.offset <= text.unicodeScalars.count, "\(error)")
        }
    }
}
