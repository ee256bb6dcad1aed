import Foundation
import TendTesting
import Testing

/// `tend eval` end to end: runs the built `tend` binary.
struct EvalCommandTests {
    /// The products directory: the parent of the `.xctest` bundle, or `.build/debug` next to the package.
    static let tend: URL? = {
        var candidates: [URL] = []
        let main = Bundle.main.bundleURL
        candidates += [main, main.deletingLastPathComponent()]
        if let exe = CommandLine.arguments.first {
            let u = URL(fileURLWithPath: exe)
            candidates += [u.deletingLastPathComponent(), u.deletingLastPathComponent().deletingLastPathComponent()]
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates += [root.appendingPathComponent(".build/debug")]
        for dir in candidates {
            let t = dir.appendingPathComponent("tend")
            if FileManager.default.isExecutableFile(atPath: t.path) { return t }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        init(_ output: ProcessOutput) {
            status = output.status
            stdout = output.stdout
            stderr = output.stderr
        }
    }

    func tend(_ args: String...) throws -> Run {
        let exe = try #require(Self.tend, "tend binary not found next to the test bundle")
        return Run(try runProcess(exe, ["eval"] + args))
    }

    func tempFile(_ content: String, ext: String = "json") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tend-eval-\(UUID().uuidString).\(ext)")
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test(arguments: [
        ("1 + 2", "3"),
        ("18446744073709551615u", "18446744073709551615"),
        ("1.5 * 2.0", "3.0"),
        ("'a' + 'b'", "\"ab\""),
        ("b'hi'", "\"aGk=\""),
        ("timestamp('2024-01-01T00:00:00Z') + duration('90m')", "\"2024-01-01T01:30:00Z\""),
        ("duration('1500ms')", "\"1.5s\""),
        ("type(1)", "\"int\""),
        ("[1, 'x', true, null]", "[1,\"x\",true,null]"),
        ("{'a': {'b': [1u]}}", "{\"a\":{\"b\":[1]}}"),
        ("'line\\n\"quoted\"'", "\"line\\n\\\"quoted\\\"\""),
    ])
    func printsJSON(_ expr: String, _ expected: String) throws {
        let r = try tend(expr)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == expected + "\n")
    }

    @Test func selfFileAndVariables() throws {
        let file = try tempFile(#"{"spec": {"replicas": 3, "ratio": 0.5, "paused": false}, "metadata": {"labels": {"tier": "web"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var r = try tend(#"self.spec.replicas > 0 && self.metadata.labels["tier"] == "web""#, "--self", file)
        #expect(r.status == 0)
        #expect(r.stdout == "true\n")
        r = try tend("self.spec", "--self", file)
        #expect(r.stdout == #"{"replicas":3,"ratio":0.5,"paused":false}"# + "\n")
        r = try tend("type(self.spec.replicas) == int", "--self", file)
        #expect(r.stdout == "true\n")
        r = try tend("n * 2 + size(names)", "--var", "n=20", "--var", #"names=["a","b"]"#)
        #expect(r.status == 0)
        #expect(r.stdout == "42\n")
        r = try tend("greeting + '!'", "--var", #"greeting="hi""#)
        #expect(r.stdout == "\"hi!\"\n")
    }

    @Test func evaluationErrorExitsOne() throws {
        let r = try tend("1 / 0")
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == """
            <expression>:1:3: error: division by zero
             1 | 1 / 0
               |   ^

            """)
        let k = try tend("m.missing", "--var", #"m={"a":1}"#)
        #expect(k.status == 1)
        #expect(k.stderr.contains("no such key: \"missing\""))
    }

    @Test func parseErrorExitsTwo() throws {
        let r = try tend("self.spec.replicas >")
        #expect(r.status == 2)
        #expect(r.stdout == "")
        #expect(r.stderr == """
            <expression>:1:21: error: syntax error: unexpected end of expression
             1 | self.spec.replicas >
               |                     ^

            """)
        let u = try tend("slef.x", "--var", "self={}")
        #expect(u.status == 2)
        #expect(u.stderr.contains("undeclared reference to 'slef' (did you mean 'self'?)"))
        #expect(u.stderr.contains(" | ^~~~"))
    }

    @Test func readsYAMLSelfAndReportsBrokenYAMLWithCaret() throws {
        let file = try tempFile("apiVersion: v1\nkind: Pod\nspec: {replicas: 2}\n", ext: "yaml")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try tend("self.spec.replicas + 1", "--self", file)
        #expect(r.status == 0)
        #expect(r.stdout == "3\n")
        let broken = try tempFile("spec:\n  replicas: [1,\n  image: x\n", ext: "yaml")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let b = try tend("self", "--self", broken)
        #expect(b.status == 2)
        #expect(b.stderr.contains(broken + ":"))
        #expect(b.stderr.contains("^"))
    }
}
