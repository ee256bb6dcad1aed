import Testing
import TendRegex

@Suite struct RegexTests {
    @Test(arguments: [
        ("^[a-z][a-z0-9-]*$", "web-1", true),
        ("^[a-z][a-z0-9-]*$", "Web", false),
        ("^[a-z][a-z0-9-]*$", "", false),
        ("ab", "xxabyy", true),  // search, not a full match
        ("^$", "", true),
        ("é.", "café!", true),  // UTF-8: one scalar per dot
        ("^.{4}$", "café", true),
        ("\\d{3}", "pod-123", true),
        ("team-(a|b)", "team-c", false),
        ("^\\w+$", "café", false),  // \w is ASCII-only, as in RE2 (CEL's engine)
    ])
    func matches(pattern: String, subject: String, expected: Bool) throws {
        #expect(try Regex(pattern).matches(subject) == expected)
    }

    @Test func captureGroups() throws {
        let re = try Regex("(\\w+)=(\\w+)?")
        let m = try #require(try re.firstMatch(in: "é key=v tail"))
        #expect(m.text == "key=v")
        #expect(m[1] == "key")
        #expect(m[2] == "v")
        #expect(re.captureCount == 2)
        let partial = try #require(try re.firstMatch(in: "k="))
        #expect(partial[2] == nil)
    }

    @Test func anchoredOptionRequiresFullMatch() throws {
        let re = try Regex("[a-z]+", options: .anchored)
        #expect(try re.matches("abc"))
        #expect(try !re.matches("abc1"))
        #expect(try Regex("ABC", options: .caseInsensitive).matches("xabcx"))
    }

    @Test(arguments: [
        ("(abc", 4, "missing closing parenthesis"),
        ("a{2,1}", 5, "numbers out of order"),
        ("[z-a]", 3, "range out of order"),
        ("é(", 2, "missing closing parenthesis"),  // offset counted in scalars, not bytes
    ])
    func badPatternNamesOffset(pattern: String, offset: Int, message: String) {
        #expect {
            _ = try Regex(pattern)
        } throws: { error in
            guard let e = error as? RegexError else { return false }
            return e.code == .invalidPattern && e.offset == offset && e.message.contains(message)
                && e.description.contains("offset \(offset)")
        }
    }

    @Test func catastrophicBacktrackingIsBoundedNotHung() throws {
        let re = try Regex("^(a+)+$")
        let subject = String(repeating: "a", count: 40) + "!"
        // Either the JIT's limits or the interpreter's match limit stop it; it must not hang.
        do {
            let matched = try re.matches(subject)
            #expect(matched == false)
        } catch {
            #expect(error.code == .matchLimitExceeded)
        }
    }

    @Test func concurrentMatchesShareOneCompiledPattern() async throws {
        let re = try Regex("^item-(\\d+)$")
        let hits = await withTaskGroup(of: Int.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var n = 0
                    for i in 0..<2_000 where (try? re.matches("item-\(t * 10_000 + i)")) == true { n += 1 }
                    return n
                }
            }
            return await group.reduce(0, +)
        }
        #expect(hits == 16_000)
    }
}
