import Foundation
import Testing
@testable import TendRules
import TendValue
import TendYAML

/// Docs are code: every rule in README.md and docs/ compiles, as `tend check` would take it.
///
/// Each ```yaml block is read; a document with `kind: Rule` is compiled as it is, and a block whose
/// keys are those of a rule's `spec` (`watch`, `children`, ...) is compiled inside a rule. A block
/// right after a `<!-- illustrative -->` comment is a sketch with placeholders and is not checked;
/// other documents (Kubernetes objects) are not rules and are skipped.
@Suite struct DocsExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let specKeys: Set<String> = ["schema", "watch", "lookups", "children", "patch", "status"]

    struct Block: CustomStringConvertible {
        var file: String
        var line: Int
        var text: String
        var description: String { "\(file):\(line)" }
    }

    static func blocks() throws -> [Block] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        var out: [Block] = []
        for file in (["README.md"] + docs.sorted()) {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
            var i = 0
            while i < lines.count {
                guard lines[i].trimmingCharacters(in: .whitespaces) == "```yaml" else { i += 1; continue }
                let start = i
                let illustrative = start > 0 && lines[start - 1].contains("<!-- illustrative -->")
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" { body.append(lines[i]); i += 1 }
                if !illustrative { out.append(Block(file: file, line: start + 2, text: body.joined(separator: "\n"))) }
                i += 1
            }
        }
        return out
    }

    @Test func everyRuleInTheDocsCompiles() throws {
        let blocks = try Self.blocks()
        #expect(blocks.count >= 10, "the docs' yaml blocks were not found")
        var checked = 0
        for block in blocks {
            let documents = try YAML.parseDocuments(bytes: Array(block.text.utf8), file: block.description, options: YAMLParseOptions(skipEmptyDocuments: true))
            for document in documents {
                guard case .object(let fields) = document.value else { continue }
                var text: String
                if fields["kind"] == "Rule" {
                    text = block.text
                } else if !fields.isEmpty, Set(fields.keys).isSubset(of: Self.specKeys) {
                    let indented = block.text.components(separatedBy: "\n").map { "  " + $0 }.joined(separator: "\n")
                    text = "apiVersion: tend.dev/v1alpha1\nkind: Rule\nmetadata: {name: docs-example}\nspec:\n" + indented
                    if fields["watch"] == nil { text += "\n  watch: {apiVersion: example.com/v1, kind: WebApp}" }
                } else {
                    continue
                }
                for rule in try YAML.parseDocuments(bytes: Array(text.utf8), file: block.description, options: YAMLParseOptions(skipEmptyDocuments: true)) where rule.value["kind"] == "Rule" {
                    let (compiled, diagnostics) = RuleCompiler.compile(rule)
                    #expect(compiled != nil && diagnostics.filter { $0.severity == .error }.isEmpty, "\(block): \(diagnostics.map(\.description))")
                    checked += 1
                }
                if fields["kind"] == "Rule" { break }  // the whole block was compiled at once
            }
        }
        #expect(checked >= 6, "rules checked: \(checked)")
    }
}
