import Foundation
import Testing
import TendValue

@testable import TendCEL
import TendFuzzing

/// Mutation fuzzing of the CEL lexer, parser, compiler and templates, seeded with the expressions of
/// this target's test tables. Every input compiles or fails with located diagnostics; what compiles
/// evaluates to a value or a ``CELError`` whose offset is inside the expression.
@Suite struct CELFuzzTests {
    static let celSpecials: [[UInt8]] = [
        "(", ")", "[", "]", "{", "}", "'", "\"", "\"\"\"", "'''", "\\", "\\u", "\\U0010FFFF", "\\uD800", "\\x", "\\777",
        ".", "?", ":", "!", "-", "&&", "||", "r'", "b'", "0x", "1u", "1e", "1e999", "18446744073709551616", " in ",
        ".all(x, ", ".map(x, x", ",", "${", "$${", "}", "\0", "é", "😀", "\n", "==", "null", "self.",
    ].map { Array($0.utf8) } + [[0x80], [0xFF], [0xED, 0xA0, 0x80]]

    static let templates = [
        "${self.metadata.name}-config", "prefix $${literal} ${name} and ${n + 1}", "${items.map(x, x * 2)}",
        "${'}'} ${\"{\"} ${{'a': [1, 2]}['a'][0]}", "plain text", "${self.spec.replicas > 0 ? 'up' : 'down'}",
    ]

    /// The first argument of every `Case(...)` in the table-driven tests.
    static func tableExpressions() -> [String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var out: [String] = []
        for file in ["OperatorTests.swift", "FunctionTests.swift", "LiteralTests.swift"] {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else { continue }
            let s = Array(String(decoding: data, as: UTF8.self).unicodeScalars)
            var i = 0
            while i + 6 < s.count {
                defer { i += 1 }
                guard String(String.UnicodeScalarView(s[i..<(i + 5)])) == "Case(" else { continue }
                var k = i + 5
                let raw = s[k] == "#"
                if raw { k += 1 }
                guard s[k] == "\"" else { continue }
                k += 1
                var literal = String.UnicodeScalarView()
                while k < s.count {
                    if raw, s[k] == "\"", k + 1 < s.count, s[k + 1] == "#" { break }
                    if !raw, s[k] == "\"" { break }
                    if !raw, s[k] == "\\", k + 1 < s.count {
                        k += 1
                        literal.append(s[k] == "n" ? "\n" : s[k] == "t" ? "\t" : s[k])
                    } else {
                        literal.append(s[k])
                    }
                    k += 1
                }
                out.append(String(literal))
            }
        }
        return out
    }

    @Test func tableExpressionsAreFound() {
        #expect(Self.tableExpressions().count > 200)
    }

    @Test func mutatedExpressionsCompileOrFailCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 12)
        for expression in Self.tableExpressions() {
            for _ in 0..<perSeed {
                let mutated = String(decoding: mutate(Array(expression.utf8), &rng, specials: Self.celSpecials), as: UTF8.self)
                checkExpression(mutated)
            }
        }
    }

    @Test func mutatedTemplatesCompileOrFailCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed ^ 0x7E)
        let perSeed = Fuzz.iterations(default: 300)
        for template in Self.templates {
            for _ in 0..<perSeed {
                let text = String(decoding: mutate(Array(template.utf8), &rng, specials: Self.celSpecials), as: UTF8.self)
                do {
                    let compiled = try CELTemplate(text, environment: testEnvironment)
                    _ = compiled.evaluateLocated(testVariables)
                } catch {
                    #expect(!error.diagnostics.isEmpty)
                    for d in error.diagnostics { #expect(inside(text, d.location), "\(d) outside \(text.debugDescription)") }
                }
            }
        }
    }

    static let deepInputs: [(String, String)] = [
        ("(", ""), ("[", ""), ("{1: ", ""), ("f(", ""), ("-", "1"), ("!", "true"), ("1 + ", "1"), ("a.", "b"),
        ("1 * ", "1"), ("true && ", "true"), ("false || ", "true"), ("1 < ", "2"), ("x ? 1 : ", "2"), ("'a' + ", "'b'"),
        ("[1][0] + [", "1][0]"), ("size(", "'a')"), ("items.map(x, ", "x)"), ("", ".size()"), ("", "[0]"), ("", ".f"),
    ]

    /// Regression: chains of operators (`!!!…x`, `1 + 1 + …`, `a.b.c…`, `a[0][0]…`) built trees
    /// deeper than the nesting limit, and compiling 100,000 of them overflowed the stack.
    @Test(arguments: deepInputs)
    func deepExpressionsHitTheNestingLimit(repeated: String, tail: String) {
        checkDeep(repeated: repeated, tail: tail, counts: [260, 10_000])
    }

    @Test func veryDeepExpressionsHitTheNestingLimit() {
        for (repeated, tail) in [("(", ""), ("!", "true"), ("1 + ", "1")] {
            checkDeep(repeated: repeated, tail: tail, counts: [100_000])
        }
    }

    func checkDeep(repeated: String, tail: String, counts: [Int]) {
        for count in counts {
            let text: String
            if repeated.isEmpty {
                text = "items" + String(repeating: tail, count: count)
            } else {
                text = String(repeating: repeated, count: count) + tail
            }
            do {
                let program = try CELProgram(text, environment: testEnvironment)
                _ = try? program.evaluate(testVariables)
                Issue.record("\(count) × \(repeated)\(tail) compiled")
            } catch {
                let messages = error.diagnostics.map(\.message).joined(separator: "; ")
                #expect(messages.contains("nested too deeply"), "\(count) × \(repeated)\(tail): \(messages.prefix(300))")
            }
        }
    }

    func checkExpression(_ text: String) {
        let program: CELProgram
        do {
            program = try CELProgram(text, environment: testEnvironment)
        } catch {
            #expect(!error.diagnostics.isEmpty)
            for d in error.diagnostics { #expect(inside(text, d.location), "\(d) outside \(text.debugDescription)") }
            return
        }
        do {
            _ = try program.evaluate(testVariables)
        } catch {
            if let offset = error.offset {
                #expect(offset >= 0 && offset <= text.unicodeScalars.count, "\(error) at \(offset) outside \(text.debugDescription)")
            }
        }
    }

    /// Whether a diagnostic for `text` (compiled at 1:1) points into it.
    func inside(_ text: String, _ location: TendValue.SourceLocation) -> Bool {
        locationIsInside(Array(text.utf8), line: location.line, column: location.column)
    }
}
