import Foundation
import Testing
import TendValue
import TendYAML

/// SplitMix64: a small seeded generator so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomValues {
    static let trickyStrings: [String] = [
        "yes", "no", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "", " ", " lead", "trail ",
        "0x10", "0o17", "017", "08", "1e3", "1_000", "-0", "+1", ".5", ".inf", "-.Inf", ".nan", "1e999", "1:20",
        "2024-01-01", "a: b", "a:b", "a #b", "a#b", "#", "- x", "-x", "--flag=1", "-", "---", "...", "? x", "?x",
        ":x", "x:", "[a]", "{a}", "a, b", "*x", "&x", "!x", "|", ">", "'", "\"", "%x", "@x", "`x", "<<", "\n",
        "\n\n", "a\n", "a\nb", "a\nb\n", "a\nb\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\tb", "\t", "tab\tend\t",
        "é", "日本語", "emoji 🎉", "\u{85}", "\u{2028}", "\u{FEFF}x", "\u{0}", "\u{1B}[0m", "\u{7F}", "\u{A0}",
        "\u{FFFE}", "\r\n", "a\rb", "\\", "\\n", "'quoted'", "\"dq\"", "it's", "${spec.replicas}", "=", "<", "<<<",
        "😀\n😀", "a\n\tb", "key: value\nother: 1", "- a\n- b", "#!/bin/sh\necho hi\n",
    ]

    static func string<G: RandomNumberGenerator>(_ g: inout G) -> String {
        if Int.random(in: 0..<3, using: &g) > 0 { return trickyStrings.randomElement(using: &g) ?? "" }
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x0...0x20, 0x80...0x2FF, 0x2000...0x206F, 0x1F600...0x1F64F]
        var s = ""
        for _ in 0..<Int.random(in: 0...12, using: &g) {
            let pool = pools.randomElement(using: &g) ?? 0x20...0x7E
            if let c = Unicode.Scalar(UInt32.random(in: pool, using: &g)) { s.unicodeScalars.append(c) }
        }
        return s
    }

    static func value<G: RandomNumberGenerator>(_ g: inout G, depth: Int) -> Value {
        let choice = Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &g)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2:
            return .int(
                [Int64.random(in: -1000...1000, using: &g), Int64.random(in: .min ... .max, using: &g), .min, .max]
                    .randomElement(using: &g) ?? 0)
        case 3:
            let d: Double =
                [Double.random(in: -1e6...1e6, using: &g), 1000, -0.0, 0.1, 1e20, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                 Double(Int64.random(in: -99...99, using: &g))].randomElement(using: &g) ?? 0
            return .double(d)
        case 4, 5: return .string(string(&g))
        case 6: return .array((0..<Int.random(in: 0...4, using: &g)).map { _ in value(&g, depth: depth - 1) })
        default:
            var o = Value.Object()
            for _ in 0..<Int.random(in: 0...4, using: &g) { o[string(&g)] = value(&g, depth: depth - 1) }
            return .object(o)
        }
    }
}

@Suite struct SerializerTests {
    @Test func roundTripsRandomValues() throws {
        var g = SeededGenerator(seed: 0x7E4D)
        for i in 0..<3000 {
            let value = RandomValues.value(&g, depth: 4)
            let text = YAML.serialize(value)
            let parsed: YAMLDocument
            do {
                parsed = try YAML.parse(text, file: "gen.yaml")
            } catch {
                Issue.record("value #\(i) \(value) serialized to unparsable YAML:\n\(text)\n\(error)")
                return
            }
            #expect(parsed.value == value, "value #\(i) serialized as:\n\(text)")
            if parsed.value != value { return }
        }
    }

    @Test(arguments: RandomValues.trickyStrings)
    func roundTripsTrickyStringsAsValuesAndKeys(_ s: String) throws {
        for value: Value in [.string(s), ["k": .string(s)], [.string(s)], .object(Value.Object([(s, Value.int(1))])),
            [["a": .string(s), "b": [.string(s)]]]]
        {
            let text = YAML.serialize(value)
            #expect(try YAML.parse(text, file: "t.yaml").value == value, "\(text)")
        }
    }

    @Test(arguments: [
        (Value.string("yes"), "\"yes\"\n"), ("0x10", "\"0x10\"\n"), ("", "\"\"\n"), (" lead", "' lead'\n"),
        ("a: b", "'a: b'\n"), ("#", "'#'\n"), ("- x", "'- x'\n"), ("*", "'*'\n"), ("it's", "it's\n"),
        ("--v=2", "--v=2\n"), ("null", "\"null\"\n"), ("1e3", "\"1e3\"\n"), ("2024-01-01", "\"2024-01-01\"\n"),
        ("\n", "\"\\n\"\n"), ("a\nb\n", "|\n  a\n  b\n"), ("a\nb", "|-\n  a\n  b\n"), ("a\n\n", "|+\n  a\n\n"),
        ("tab\there", "\"tab\\there\"\n"), ("bell\u{7}", "\"bell\\a\"\n"), ("é日本", "é日本\n"),
        (.double(1000), "1000.0\n"), (.double(1e20), "1e+20\n"), (.int(-5), "-5\n"), (.null, "null\n"),
        (true, "true\n"), (.emptyObject, "{}\n"), (Value.array([]), "[]\n"),
    ])
    func scalarStyles(value: Value, expected: String) {
        #expect(YAML.serialize(value) == expected)
    }

    @Test func nestedLayoutIsKubectlStyle() {
        let value: Value = [
            "a": ["b": [1, 2], "c": [["d": "x", "e": [[]]]], "f": .emptyObject],
            "list": [[1, [2, 3]], "s"],
        ]
        #expect(
            YAML.serialize(value) == """
                a:
                  b:
                  - 1
                  - 2
                  c:
                  - d: x
                    e:
                    - []
                  f: {}
                list:
                - - 1
                  - - 2
                    - 3
                - s

                """)
    }

    @Test func multipleDocuments() throws {
        let text = YAML.serializeDocuments([["a": 1], "b"])
        #expect(text == "a: 1\n---\nb\n")
        #expect(try YAML.parseDocuments(text, file: "t").map(\.value) == [["a": 1], "b"])
    }

    @Test func longKeysUseExplicitForm() throws {
        let key = String(repeating: "k", count: 1500)
        let value: Value = .object(Value.Object([(key, Value.array([1, 2])), ("short", Value.object(Value.Object([("x", Value.int(1))])))]))
        let text = YAML.serialize(value)
        #expect(text.hasPrefix("? kkk"))
        #expect(try YAML.parse(text, file: "t").value == value)
    }

    @Test func deploymentGolden() throws {
        let source = try Fixtures.text("deployment.yaml")
        let golden = try Fixtures.text("deployment.golden.yaml")
        let document = try YAML.parse(source, file: "deployment.yaml")
        let output = YAML.serialize(document.value)
        if ProcessInfo.processInfo.environment["TEND_UPDATE_GOLDEN"] != nil {
            try output.write(to: Fixtures.sourceURL("deployment.golden.yaml"), atomically: true, encoding: .utf8)
        }
        #expect(output == golden)
        #expect(try YAML.parse(output, file: "golden").value == document.value)
    }
}

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    /// The fixture in the source tree (for regenerating goldens with `TEND_UPDATE_GOLDEN=1`).
    static func sourceURL(_ name: String, file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }
}
