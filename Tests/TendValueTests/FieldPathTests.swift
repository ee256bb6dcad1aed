import Testing
import TendValue

@Suite struct FieldPathTests {
    @Test(arguments: [
        ("spec.replicas", [FieldPath.Component.key("spec"), .key("replicas")]),
        (".spec", [.key("spec")]),
        (#"spec.template.metadata.labels["app.kubernetes.io/name"]"#,
         [.key("spec"), .key("template"), .key("metadata"), .key("labels"), .key("app.kubernetes.io/name")]),
        ("spec.containers[0].image", [.key("spec"), .key("containers"), .index(0), .key("image")]),
        ("metadata.annotations['a\\'b']", [.key("metadata"), .key("annotations"), .key("a'b")]),
        ("[2][0]", [.index(2), .index(0)]),
        ("x-y.$z", [.key("x-y"), .key("$z")]),
        ("", []),
    ])
    func parses(text: String, components: [FieldPath.Component]) throws {
        let path = try FieldPath(parsing: text)
        #expect(path.components == components)
        #expect(try FieldPath(parsing: path.description) == path)  // canonical form round-trips
    }

    @Test(arguments: [
        ("spec..replicas", 5, "empty field name"),
        ("spec.", 5, "path ends with '.'"),
        ("spec[", 4, "unclosed '['"),
        ("spec[x]", 5, "expected an array index"),
        ("spec[-1]", 5, "expected an array index"),
        ("labels[\"a", 6, "unterminated quoted key"),
        ("a b", 1, "unexpected character ' '"),
        ("a[0]b", 4, "expected '.' or '['"),
    ])
    func rejects(text: String, offset: Int, message: String) {
        #expect {
            _ = try FieldPath(parsing: text)
        } throws: { error in
            guard let e = error as? FieldPath.ParseError else { return false }
            return e.offset == offset && e.message.contains(message)
        }
    }

    @Test func canonicalDescriptionQuotesNonIdentifiers() throws {
        let p: FieldPath = [.key("metadata"), .key("labels"), .key("app.kubernetes.io/name"), .key("q\"x")]
        #expect(p.description == #"metadata.labels["app.kubernetes.io/name"]["q\"x"]"#)
        #expect(FieldPath([.index(1), .key("a")]).description == "[1].a")
    }

    @Test func getSetRemove() throws {
        var v: Value = ["spec": ["containers": [["name": "app", "image": "a:1"]]]]
        #expect(v[path: try FieldPath(parsing: "spec.containers[0].image")] == "a:1")
        #expect(v[path: try FieldPath(parsing: "spec.containers[1].image")] == nil)
        #expect(v[path: try FieldPath(parsing: "spec.containers.image")] == nil)

        try v.set(try FieldPath(parsing: "spec.containers[0].image"), to: "a:2")
        try v.set(try FieldPath(parsing: #"metadata.labels["app.kubernetes.io/name"]"#), to: "web")
        try v.set(try FieldPath(parsing: "spec.containers[1]"), to: ["name": "sidecar"])
        #expect(v[path: try FieldPath(parsing: "spec.containers[0].image")] == "a:2")
        #expect(v["metadata"]?["labels"]?["app.kubernetes.io/name"] == "web")
        #expect(v["spec"]?["containers"]?.arrayValue?.count == 2)
        #expect(v.objectValue?.keys == ["spec", "metadata"])  // new keys append, existing keep position

        #expect(throws: FieldPathError.self) { try v.set(try FieldPath(parsing: "spec.containers.x"), to: 1) }
        #expect(throws: FieldPathError.self) { try v.set(try FieldPath(parsing: "spec.containers[5]"), to: 1) }
        #expect(throws: FieldPathError.self) { try v.set(try FieldPath(parsing: "spec.containers[0].image.x"), to: 1) }

        #expect(v.remove(try FieldPath(parsing: "spec.containers[0]")) == ["name": "app", "image": "a:2"])
        #expect(v["spec"]?["containers"] == [["name": "sidecar"]])
        #expect(v.remove(try FieldPath(parsing: "nope.x")) == nil)
    }
}

@Suite struct MergeTests {
    @Test func deepMergeReplacesArraysAndMergesObjects() {
        let base: Value = ["a": ["x": 1, "y": [1, 2]], "b": "keep"]
        let overlay: Value = ["a": ["y": [3], "z": .null], "c": true]
        let merged = base.merging(overlay)
        #expect(merged == ["a": ["x": 1, "y": [3], "z": .null], "b": "keep", "c": true])
        #expect(merged.objectValue?.keys == ["a", "b", "c"])
    }

    @Test func mergePatchFollowsRFC7386() {
        // The examples of RFC 7386 section 3.
        let target: Value = ["title": "Goodbye!", "author": ["givenName": "John", "familyName": "Doe"], "tags": ["example", "sample"], "content": "This will be unchanged"]
        let patch: Value = ["title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": ["familyName": .null], "tags": ["example"]]
        let result = target.applyingMergePatch(patch)
        #expect(result == ["title": "Hello!", "author": ["givenName": "John"], "tags": ["example"], "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"])
        #expect((["a": "b"] as Value).applyingMergePatch(["a": ["b": "c"]]) == ["a": ["b": "c"]])
        #expect((["a": ["b": "c"]] as Value).applyingMergePatch(["a": [1]]) == ["a": [1]])
        #expect((["e": .null] as Value).applyingMergePatch(["a": 1]) == ["e": .null, "a": 1])
    }

    @Test func computedMergePatchReproducesTarget() {
        let old: Value = ["a": 1, "b": ["c": 2, "d": 3], "gone": "x"]
        let new: Value = ["a": 1, "b": ["c": 5, "d": 3], "added": [1]]
        let patch = old.mergePatch(to: new)
        #expect(patch == ["b": ["c": 5], "added": [1], "gone": .null])
        #expect(old.applyingMergePatch(patch) == new)
    }
}
