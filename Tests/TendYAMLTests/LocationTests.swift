import Testing
import TendValue
import TendYAML

@Suite struct LocationTests {
    static let source = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: "café-config"   # comment
          labels: {tier: web, "quoted key": 'x'}
        data:
          émoji: 🎉 party
          expr: "${spec.replicas > 1}"
          escaped: "a\\tb ${x}"
          single: 'it''s ${y}'
          anchored: &a plain ${z}
          tagged: !!str 42
          block: |
            line one
            line two
          multi: first
            second
        list:
        - one
        -   two
        - [x, "y"]
        """

    static let doc: YAMLDocument = {
        do { return try YAML.parse(source, file: "cm.yaml") } catch { fatalError("\(error)") }
    }()

    static func at(_ line: Int, _ column: Int) -> TendValue.SourceLocation {
        TendValue.SourceLocation(file: "cm.yaml", line: line, column: column)
    }

    @Test(arguments: [
        (YAMLPath(["apiVersion"]), 1, 13, 1, 1, 2),
        (["metadata"], 4, 3, 3, 1, 1),
        (["metadata", "name"], 4, 9, 4, 3, 13),
        (["metadata", "labels"], 5, 11, 5, 3, 1),
        (["metadata", "labels", "tier"], 5, 18, 5, 12, 3),
        (["metadata", "labels", "quoted key"], 5, 37, 5, 23, 3),
        (["data", "émoji"], 7, 10, 7, 3, 7),
        (["data", "expr"], 8, 9, 8, 3, 22),
        (["data", "single"], 10, 11, 10, 3, 12),
        (["data", "anchored"], 11, 16, 11, 3, 10),
        (["data", "tagged"], 12, 17, 12, 3, 2),  // the tag is skipped,
        (["data", "block"], 13, 10, 13, 3, 28),
        (["list", 0], 19, 3, nil, nil, 3),
        (["list", 1], 20, 5, nil, nil, 3),
        (["list", 2], 21, 3, nil, nil, 1),
        (["list", 2, 1], 21, 7, nil, nil, 3),
    ] as [(YAMLPath, Int, Int, Int?, Int?, Int)])
    func nodeLocations(path: YAMLPath, line: Int, column: Int, keyLine: Int?, keyColumn: Int?, length: Int) throws {
        let info = try #require(Self.doc.locations.info(at: path), "\(path)")
        #expect(info.location == Self.at(line, column), "\(path)")
        #expect(info.length == length, "\(path)")
        if let keyLine, let keyColumn {
            #expect(info.keyLocation == Self.at(keyLine, keyColumn), "\(path)")
            #expect(Self.doc.locations.keyLocation(of: path) == Self.at(keyLine, keyColumn))
        } else {
            #expect(info.keyLocation == nil)
        }
    }

    @Test func rootAndMissingPaths() throws {
        let root = try #require(Self.doc.locations.info(at: .root))
        #expect(root.location == Self.at(1, 1))
        #expect(root.style == .blockMapping)
        #expect(Self.doc.locations.info(at: ["nope"]) == nil)
        #expect(Self.doc.locations.info(at: ["list", 9]) == nil)
        #expect(Self.doc.locations.info(at: ["list", "key"]) == nil)
        let closest = try #require(Self.doc.locations.closestInfo(to: ["metadata", "labels", "missing", "deeper"]))
        #expect(closest.path == ["metadata", "labels"])
        #expect(closest.info.location == Self.at(5, 11))
    }

    @Test func contentOffsetsInsideScalars() throws {
        let expr = try #require(Self.doc.locations.info(at: ["data", "expr"]))
        #expect(expr.style == .doubleQuoted)
        #expect(expr.hasExactContentColumns)
        // "${spec.replicas > 1}": `spec` starts at content offset 2.
        #expect(expr.location(ofContentOffset: 2) == Self.at(8, 12))

        let plain = try #require(Self.doc.locations.info(at: ["data", "anchored"]))
        #expect(plain.style == .plain && plain.hasExactContentColumns)
        #expect(plain.location(ofContentOffset: 8) == Self.at(11, 24))  // `z`

        let emoji = try #require(Self.doc.locations.info(at: ["data", "émoji"]))
        #expect(emoji.location(ofContentOffset: 2) == Self.at(7, 12))  // `p` after "🎉 " (one scalar)

        #expect(Self.doc.locations.info(at: ["data", "escaped"])?.hasExactContentColumns == false)
        #expect(Self.doc.locations.info(at: ["data", "single"])?.hasExactContentColumns == false)
        #expect(Self.doc.locations.info(at: ["data", "multi"])?.hasExactContentColumns == false)
        let block = try #require(Self.doc.locations.info(at: ["data", "block"]))
        #expect(block.style == .literal && !block.hasExactContentColumns)
        #expect(block.contentLocation.line == 14)
    }

    @Test func caretUnderlinesTheWholeToken() throws {
        let info = try #require(Self.doc.locations.info(at: ["metadata", "name"]))
        let diagnostic = Diagnostic(.error, at: info.location, "name must be a DNS label", length: info.length)
        #expect(
            diagnostic.render(source: Self.source) == """
                cm.yaml:4:9: error: name must be a DNS label
                 4 |   name: "café-config"   # comment
                   |         ^~~~~~~~~~~~~
                """)
    }

    @Test func crlfLineEndings() throws {
        let doc = try YAML.parse("a: 1\r\nb:\r\n  c: é\r\n", file: "w.yaml")
        #expect(doc.value == ["a": 1, "b": ["c": "é"]])
        #expect(doc.locations.location(of: ["b", "c"]) == TendValue.SourceLocation(file: "w.yaml", line: 3, column: 6))
    }

    @Test func yamlPathDescription() {
        #expect(YAMLPath(["spec", "containers", 0, "image"]).description == ".spec.containers[0].image")
        #expect(YAMLPath(["metadata", "annotations", "tend.dev/owner"]).description
            == #".metadata.annotations["tend.dev/owner"]"#)
        #expect(YAMLPath.root.description == ".")
        #expect(YAMLPath.root.appending(key: "a").appending(index: 2) == ["a", 2])
    }
}
