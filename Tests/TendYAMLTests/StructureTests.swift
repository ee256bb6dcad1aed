import Testing
import TendValue
import TendYAML

@Suite struct StructureTests {
    @Test func multiDocumentStream() throws {
        let text = """
            # leading comment
            a: 1
            ---
            b: 2
            ...
            ---
            # only a comment
            ---
            null
            --- [3]
            """
        let all = try YAML.parseDocuments(text, file: "s.yaml")
        #expect(all.map(\.value) == [["a": 1], ["b": 2], .null, .null, [3]])
        #expect(all.map(\.isEmpty) == [false, false, true, true, false])
        #expect(all.map(\.location.line) == [2, 3, 6, 8, 10])
        let kept = try YAML.parseDocuments(text, file: "s.yaml", options: YAMLParseOptions(skipEmptyDocuments: true))
        #expect(kept.map(\.value) == [["a": 1], ["b": 2], [3]])
    }

    @Test func emptyStreams() throws {
        for text in ["", "   \n", "# nothing\n"] {
            #expect(try YAML.parseDocuments(text, file: "e").isEmpty)
            let single = try YAML.parse(text, file: "e")
            #expect(single.value == .null)
            #expect(single.location == TendValue.SourceLocation(file: "e", line: 1, column: 1))
        }
        #expect(try YAML.parseDocuments("---\n", file: "e").map(\.value) == [.null])
    }

    @Test func parseRejectsSeveralDocuments() {
        let error = #expect(throws: YAMLError.self) { try YAML.parse("a: 1\n---\nb: 2\n", file: "m.yaml") }
        #expect(error?.kind == .multipleDocuments)
        #expect(error?.description == "m.yaml:2:1: error: expected a single YAML document, found 2")
    }

    @Test func anchorsAndAliasesCopyValues() throws {
        let doc = try YAML.parse(
            """
            base: &b {x: 1, z: [a, b]}
            copy: *b
            scalar: &s hello
            again: *s
            list: [*s, *b]
            """, file: "a.yaml")
        let b: Value = ["x": 1, "z": ["a", "b"]]
        #expect(doc.value == ["base": b, "copy": b, "scalar": "hello", "again": "hello", "list": ["hello", b]])
        // Locations under an alias are those of the anchored node; the alias itself is located at `*`.
        #expect(doc.locations.info(at: ["copy"])?.style == .alias)
        #expect(doc.locations.location(of: ["copy"])?.column == 7)
        #expect(doc.locations.location(of: ["copy", "z", 1]) == doc.locations.location(of: ["base", "z", 1]))
        #expect(doc.locations.location(of: ["copy", "z", 1])?.line == 1)
    }

    @Test func anchorsAreRedefinable() throws {
        let doc = try YAML.parse("- &a 1\n- *a\n- &a 2\n- *a\n", file: "r")
        #expect(doc.value == [1, 1, 2, 2])
    }

    @Test func mergeKeys() throws {
        let doc = try YAML.parse(
            """
            defaults: &d {a: 1, b: 2}
            more: &m {b: 20, c: 30}
            one:
              <<: *d
              b: 3
            early:
              b: 3
              <<: *d
            many:
              x: 0
              <<: [*m, *d]
            inline:
              <<: {k: v}
            quoted:
              "<<": not a merge
            """, file: "m.yaml")
        #expect(doc.value["one"] == ["a": 1, "b": 3])
        #expect(doc.value["one"]?.objectValue?.keys == ["a", "b"])
        #expect(doc.value["early"] == ["b": 3, "a": 1])
        #expect(doc.value["early"]?.objectValue?.keys == ["b", "a"])
        #expect(doc.value["many"]?.objectValue?.keys == ["x", "b", "c", "a"])
        #expect(doc.value["many"] == ["x": 0, "b": 20, "c": 30, "a": 1])
        #expect(doc.value["inline"] == ["k": "v"])
        #expect(doc.value["quoted"] == ["<<": "not a merge"])
        // A merged field is located where it was written.
        #expect(doc.locations.location(of: ["one", "a"]) == doc.locations.location(of: ["defaults", "a"]))
        #expect(doc.locations.location(of: ["one", "b"])?.line == 5)
    }

    @Test(arguments: ["a:\n  <<: 1\n", "a:\n  <<: [1]\n", "a:\n  <<: [{x: 1}, [2]]\n"])
    func invalidMerges(_ text: String) {
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "m.yaml") }
        #expect(error?.kind == .invalidMerge)
        #expect(error?.location.line == 2)
        #expect(error?.location.column == 7)
    }

    @Test func flowAndBlockStylesAgree() throws {
        let block = try YAML.parse(
            """
            a:
              - 1
              - x: [2, 3]
                w: {}
            b: "s"
            """, file: "b")
        let flow = try YAML.parse(#"{a: [1, {x: [2, 3], w: {}}], b: "s"}"#, file: "f")
        let json = try YAML.parse(#"{"a": [1, {"x": [2, 3], "w": {}}], "b": "s"}"#, file: "j")
        #expect(block.value == flow.value)
        #expect(flow.value == json.value)
        #expect(flow.locations.info(at: ["a"])?.style == .flowSequence)
        #expect(block.locations.info(at: ["a"])?.style == .blockSequence)
        #expect(block.locations.info(at: ["a", 1])?.style == .blockMapping)
    }

    @Test func keyOrderIsKept() throws {
        let doc = try YAML.parse("z: 1\na: 2\nm: 3\n", file: "o")
        #expect(doc.value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func blockScalars() throws {
        let doc = try YAML.parse(
            """
            lit: |
              line 1
               indented
              line 3
            folded: >-
              a
              b

              c
            keep: |+
              x

            end: 1
            """, file: "b")
        #expect(doc.value["lit"] == "line 1\n indented\nline 3\n")
        #expect(doc.value["folded"] == "a b\nc")
        #expect(doc.value["keep"] == "x\n\n")
    }

    @Test func tagsOnCollections() throws {
        #expect(try YAML.parse("!!map {a: 1}", file: "t").value == ["a": 1])
        #expect(try YAML.parse("!!seq [1]", file: "t").value == [1])
        #expect(try YAML.parse("!custom {a: 1}", file: "t").value == ["a": 1])
        for text in ["!!seq {a: 1}", "!!map [1]", "!!str [1]", "a: !!map x", "a: !!int abc", "a: !!bool 1",
            "a: !!null x", "a: !!float yes", "a: !!int 1.5", "a: !!binary '@@@'"]
        {
            let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "t") }
            #expect(error?.kind == .invalidTag, "\(text)")
        }
        let error = #expect(throws: YAMLError.self) { try YAML.parse("a: !!int abc", file: "t") }
        #expect(error?.message == "cannot decode !!str `abc` as a !!int")
    }

    @Test func binaryKeepsBase64() throws {
        let doc = try YAML.parse("data: !!binary |\n  aGVs\n  bG8=\n", file: "b")
        #expect(doc.value["data"] == "aGVsbG8=")
    }

    @Test func duplicateKeys() {
        let error = #expect(throws: YAMLError.self) {
            try YAML.parse("a: 1\nb: 2\na: 3\n", file: "d.yaml")
        }
        #expect(error?.kind == .duplicateKey)
        #expect(error?.description == "d.yaml:3:1: error: duplicate key \"a\" (first defined at line 1, column 1)")
        // Keys are compared after conversion to strings, as kubectl does.
        let converted = #expect(throws: YAMLError.self) { try YAML.parse("{1: a, \"1\": b}", file: "d.yaml") }
        #expect(converted?.location.column == 8)
        let bools = #expect(throws: YAMLError.self) { try YAML.parse("yes: a\ntrue: b\n", file: "d.yaml") }
        #expect(bools?.location.line == 2)
        // Many keys: the hashed path.
        var text = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n")
        text += "\nk7: again\n"
        let many = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "d.yaml") }
        #expect(many?.location.line == 41)
        #expect(many?.message == "duplicate key \"k7\" (first defined at line 8, column 1)")
    }

    @Test(arguments: [
        ("~: a", 1, 1), ("? [a]\n: b", 1, 3), ("{a: 1}: b", 1, 1), ("a:\n  9223372036854775808: x", 2, 3),
        ("x: &n null\ny:\n  *n : 1", 3, 3),
    ])
    func unsupportedKeys(text: String, line: Int, column: Int) {
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "k.yaml") }
        #expect(error?.kind == .unsupportedKey)
        #expect(error?.location.line == line)
        #expect(error?.location.column == column)
    }

    @Test(arguments: ["a: .inf", "a: -.Inf", "- .nan", ".inf", "a: !!float .NaN"])
    func infinityAndNaNAreRejected(_ text: String) {
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text, file: "n.yaml") }
        #expect(error?.kind == .unsupportedValue)
        #expect(error?.message.contains("cannot be represented in JSON") == true)
    }

    @Test func resultsAreSendableAcrossTasks() async throws {
        let texts = (0..<8).map { "i: \($0)\nlist: [a, b, c]\n" }
        let values = try await withThrowingTaskGroup(of: Value.self) { group in
            for t in texts { group.addTask { try YAML.parse(t, file: "p").value } }
            var out: [Value] = []
            for try await v in group { out.append(v) }
            return out
        }
        #expect(values.count == 8)
    }
}
