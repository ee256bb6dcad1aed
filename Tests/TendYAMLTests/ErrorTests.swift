import Foundation
import Testing
import TendValue
import TendYAML

@Suite struct ErrorTests {
    /// Malformed input: each yields a located error, never a crash or a hang.
    @Test(arguments: [
        ("tab indentation", "a:\n\tb: 1\n", 2, 1, "found character that cannot start any token"),
        ("unclosed double quote", "a: \"abc\nb: 1\n", 3, 1, "found unexpected end of stream"),
        ("unclosed single quote", "a: 'abc", 1, 8, "found unexpected end of stream"),
        ("unclosed bracket", "a: [1, 2\nb: 3\n", 2, 2, "did not find expected ',' or ']'"),
        ("unclosed brace", "a: {x: 1", 1, 9, "did not find expected ',' or '}'"),
        ("bad indentation", "a:\n    b: 1\n  c: 2\n", 3, 3, "did not find expected key"),
        ("mapping value in plain scalar", "a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
        ("invalid escape", "a: \"x\\qy\"\n", 1, 6, "found unknown escape character"),
        ("NUL byte", "a: b\u{0}c\n", 1, 5, "control characters are not allowed (U+0000)"),
        ("unknown alias", "a: 1\nb: *nope\n", 2, 4, "unknown anchor 'nope' referenced"),
        ("recursive alias", "a: &x [1, *x]\n", 1, 11, "refers to its own enclosing node"),
        ("sequence where mapping continues", "a: 1\n- b\n", 2, 1, "did not find expected key"),
        ("undefined tag handle", "a: !e!x 1\n", 1, 4, "found undefined tag handle"),
        ("stray close bracket", "a: ]\n", 1, 4, "did not find expected node content"),
    ])
    func malformedInput(name: String, text: String, line: Int, column: Int, message: String) {
        let error = #expect(throws: YAMLError.self, "\(name)") { try YAML.parseDocuments(text, file: "bad.yaml") }
        #expect(error?.location == TendValue.SourceLocation(file: "bad.yaml", line: line, column: column), "\(name)")
        #expect(error?.message.contains(message) == true, "\(name): \(error?.message ?? "")")
    }

    /// An unquoted `${...}` whose punctuation breaks the YAML gets a hint to quote it; other syntax
    /// errors, and expressions already quoted, do not.
    @Test(arguments: [
        ("conditional with a colon", "data:\n  a: ${x ? \"a\": \"b\"}\n", true),
        ("expression in a flow mapping", "metadata: {name: ${self.metadata.name}-x}\n", true),
        ("error on the next line of a flow mapping", "m: {a: ${b},\n  c: 1\n", true),
        ("quoted expression, other error", "a: \"${x}\"\nb: c: d\n", false),
        ("commented expression", "a: b: c # ${x}\n", false),
        ("no expression", "a: b: c\n", false),
    ])
    func unquotedExpressionsGetAHint(name: String, text: String, hinted: Bool) {
        let error = #expect(throws: YAMLError.self, "\(name)") { try YAML.parseDocuments(text, file: "rule.yaml") }
        #expect(error?.message.contains("must be quoted: \"${...}\"") == hinted, "\(name): \(error?.message ?? "")")
    }

    @Test(arguments: [
        ([0x61, 0x3A, 0x20, 0xFF, 0x0A] as [UInt8], 1, 4, "invalid leading UTF-8 octet (byte 0xFF)"),
        ([0x61, 0x3A, 0x20, 0xC3, 0xA9, 0x0A, 0x62, 0x3A, 0x20, 0xE2, 0x82], 2, 4, "incomplete UTF-8 octet sequence"),
        ([0x61, 0x3A, 0x20, 0xC3, 0x28], 1, 5, "invalid trailing UTF-8 octet (byte 0x28)"),
        ([0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80], 1, 4, "invalid Unicode character (U+D800)"),
    ])
    func invalidUTF8(bytes: [UInt8], line: Int, column: Int, message: String) {
        let error = #expect(throws: YAMLError.self) { try YAML.parseDocuments(bytes: bytes, file: "bin.yaml") }
        #expect(error?.kind == .encoding)
        #expect(error?.location.line == line)
        #expect(error?.location.column == column)
        #expect(error?.message == message)
    }

    @Test func bytesAPIParsesValidInput() throws {
        let docs = try YAML.parseDocuments(bytes: Array("a: é\n".utf8), file: "b.yaml")
        #expect(docs.map(\.value) == [["a": "é"]])
        #expect(try YAML.parseDocuments(bytes: [], file: "b.yaml").isEmpty)
    }

    @Test func renderedErrorGolden() {
        let source = "metadata:\n  name: web\n  labels: app: web\n"
        let error = #expect(throws: YAMLError.self) { try YAML.parse(source, file: "deploy.yaml") }
        #expect(
            error?.render(source: source) == """
                deploy.yaml:3:14: error: mapping values are not allowed in this context
                 3 |   labels: app: web
                   |              ^
                """)
        #expect(error?.kind == .syntax)
    }

    @Test func renderedDuplicateKeyGolden() {
        let source = "spec:\n  replicas: 1\n  replicas: 2\n"
        let error = #expect(throws: YAMLError.self) { try YAML.parse(source, file: "d.yaml") }
        #expect(
            error?.render(source: source) == """
                d.yaml:3:3: error: duplicate key "replicas" (first defined at line 2, column 3)
                 3 |   replicas: 2
                   |   ^~~~~~~~
                """)
    }

    @Test func contextIsPartOfTheMessage() {
        let error = #expect(throws: YAMLError.self) { try YAML.parse("a: \"abc", file: "q.yaml") }
        #expect(
            error?.message
                == "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)")
    }

    @Test func aliasBombIsRejectedQuickly() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let start = ContinuousClock.now
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "bomb.yaml") }
        #expect(ContinuousClock.now - start < .seconds(5))  // expanding it would take hours
        #expect(error?.kind == .excessiveAliasing)
        #expect(error?.location.line == 6)  // the aliases of a5 expand past 1,000,000 nodes
        #expect(error?.message.contains("excessive aliasing") == true)
    }

    @Test func aliasBudgetIsConfigurable() throws {
        let text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
        #expect(try YAML.parse(text, file: "t").value["b"] == [[1, 2, 3], [1, 2, 3]])
        let error = #expect(throws: YAMLError.self) {
            try YAML.parse(text, file: "t", options: YAMLParseOptions(maxAliasExpansion: 7))
        }
        #expect(error?.location == TendValue.SourceLocation(file: "t", line: 2, column: 9))
    }

    @Test(arguments: ["[", "{a: ", "- "])
    func deepNestingIsRejected(_ opener: String) {
        let text = String(repeating: opener, count: 100_000)
        let start = ContinuousClock.now
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "deep.yaml") }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.kind == .tooDeep)
        #expect(error?.location.line == 1)
        #expect(error?.location.column == 512 * opener.count + 1)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = 512
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try YAML.parse(text, file: "deep.yaml").value
        var levels = 0
        while case .array(let a) = value {
            levels += 1
            value = a.first ?? .null
        }
        #expect(levels == depth)
    }

    @Test func hugeUnterminatedInputFailsFast() {
        let text = "a: \"" + String(repeating: "x", count: 4_000_000)
        let start = ContinuousClock.now
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "huge.yaml") }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.location.column == 4_000_005)
    }
}

@Suite struct FixtureTests {
    @Test func multiDocumentFixture() throws {
        let text = try Fixtures.text("multi.yaml")
        let all = try YAML.parseDocuments(text, file: "multi.yaml")
        #expect(all.count == 5)
        let kept = try YAML.parseDocuments(text, file: "multi.yaml", options: YAMLParseOptions(skipEmptyDocuments: true))
        #expect(kept.map { $0.value["kind"] } == ["Namespace", "ConfigMap", "Secret"])
        #expect(kept[1].value["data"] == ["mode": "on", "retries": "3"])
        #expect(kept[2].value["data"]?["password"] == "c2VjcmV0")
        #expect(kept[2].location.line == 17)
        #expect(kept[1].locations.location(of: ["metadata", "namespace"])?.line == 12)
    }

    @Test func tabIndentationFixtureRendersGolden() throws {
        let text = try Fixtures.text("tab-indent.yaml")
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "tab-indent.yaml") }
        #expect(
            error?.render(source: text) == """
                tab-indent.yaml:8:1: error: found a tab character that violates indentation (while scanning a plain scalar at line 7, column 11)
                 8 | \ttargetPort: 8080
                   | ^
                """)
    }
}
