import Testing
import TendEngine
import TendRules
import TendYAML

/// The pure diff a reload applies: unchanged, changed, added and removed rules, by name and fingerprint.
struct RuleSetDiffTests {
    static func rule(_ name: String, value: String = "1", comment: String = "") throws -> Rule {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(name)}\(comment)
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {app: \(name)}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {v: "\(value)"}}
            """, file: "\(name).yaml"))
        return try #require(rule, "\(diagnostics)")
    }

    @Test func sameSetIsUnchanged() throws {
        let old = [try Self.rule("a"), try Self.rule("b")]
        let diff = RuleSetDiff(old: old, new: old)
        #expect(diff.unchanged == ["a", "b"])
        #expect(diff.added.isEmpty && diff.changed.isEmpty && diff.removed.isEmpty)
        #expect(diff.isEmpty)
    }

    @Test func formattingAndCommentsDoNotChangeARule() throws {
        let a = try Self.rule("a")
        let reformatted = try Self.rule("a", comment: "   # a comment")
        #expect(a.location == reformatted.location)
        #expect(a.fingerprint == reformatted.fingerprint)
        // Key order and flow vs block style compile to the same fingerprint too.
        let (reordered, _) = RuleCompiler.compile(try YAML.parse("""
            kind: Rule
            apiVersion: tend.dev/v1alpha1
            metadata:
              name: a
            spec:
              children:
                - template: {kind: ConfigMap, apiVersion: v1, data: {v: "1"}, metadata: {name: "${self.metadata.name}-copy"}}
                  id: copy
              watch: {kind: ConfigMap, apiVersion: v1, selector: {matchLabels: {app: a}}}
            """, file: "elsewhere.yaml"))
        #expect(try #require(reordered).fingerprint == a.fingerprint)
        #expect(RuleSetDiff(old: [a], new: [reformatted]).unchanged == ["a"])
    }

    @Test func changedAddedRemoved() throws {
        let old = [try Self.rule("a"), try Self.rule("b"), try Self.rule("c")]
        let new = [try Self.rule("d"), try Self.rule("a", value: "2"), try Self.rule("c")]
        let diff = RuleSetDiff(old: old, new: new)
        #expect(diff.changed.map(\.name) == ["a"])
        #expect(diff.changed.first?.fingerprint == new[1].fingerprint, "the new version")
        #expect(diff.added.map(\.name) == ["d"])
        #expect(diff.removed == ["b"])
        #expect(diff.unchanged == ["c"])
        #expect(!diff.isEmpty)
    }

    @Test func renameIsRemoveAndAdd() throws {
        let diff = RuleSetDiff(old: [try Self.rule("a")], new: [try Self.rule("a2")])
        #expect(diff.removed == ["a"])
        #expect(diff.added.map(\.name) == ["a2"])
        #expect(diff.changed.isEmpty && diff.unchanged.isEmpty)
    }

    @Test func emptySets() throws {
        let a = try Self.rule("a")
        #expect(RuleSetDiff(old: [], new: [a]).added.map(\.name) == ["a"])
        #expect(RuleSetDiff(old: [a], new: []).removed == ["a"])
        #expect(RuleSetDiff(old: [], new: []).isEmpty)
    }
}
