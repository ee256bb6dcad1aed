import Foundation
import Testing
import TendRules
import TendValue

/// Rule coverage (`tend test`): what the tests of a rule exercised, across steps, rounds and tests.
@Suite struct RuleCoverageTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: small}
        spec:
          watch: {apiVersion: example.com/v1, kind: App}
          children:
            - id: config
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}"}, data: {a: x}}
            - id: extra
              includeWhen: ["${self.spec.extra}"]
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-extra"}}
            - id: copies
              forEach: {item: "${self.spec.names}"}
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-${item}"}}
              readyWhen: ["${has(copies.data)}"]
          status:
            phase:
              initial: Pending
              transitions:
                - {from: [Pending], to: Running, when: "${self.spec.go}"}
                - {from: [Running], to: Failed, when: "${self.spec.broken}", reason: Broken}
            conditions:
              - {type: Ready, status: "${phase == 'Running'}"}
        """

    /// A step applying the App `a` with these spec fields (`extra`, `go`, `names`).
    static func apply(_ spec: String) -> String {
        """
            - name: "apply \(spec)"
              apply: [{apiVersion: example.com/v1, kind: App, metadata: {name: a, namespace: t}, spec: {\(spec)}}]

        """
    }

    /// Runs one test per element of `tests` (each a list of steps) and combines their coverage.
    func coverage(_ tests: [[String]]) throws -> RuleCoverage {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-coverage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.rule.write(to: dir.appendingPathComponent("rule.yaml"), atomically: true, encoding: .utf8)
        let rules = RuleLoader().load(paths: [dir.appendingPathComponent("rule.yaml").path])
        #expect(!rules.hasErrors, "\(rules.diagnostics)")
        var runs: [RuleCoverage] = []
        for (n, steps) in tests.enumerated() {
            let file = dir.appendingPathComponent("t\(n).test.yaml").path
            let text = "apiVersion: tend.dev/v1alpha1\nkind: RuleTest\nmetadata: {name: t\(n)}\nspec:\n  rules: [rule.yaml]\n  steps:\n" + steps.joined()
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let (loaded, diagnostics) = RuleTest.load(file: file)
            #expect(diagnostics.isEmpty, "\(diagnostics)")
            let test = try #require(loaded.first)
            let run = test.runWithCoverage(rules: rules.rules)
            #expect(run.results.allSatisfy { $0.passed }, "\(run.results.flatMap(\.failures))")
            #expect(run.results.map(\.step) == test.run(rules: rules.rules).map(\.step))
            runs += run.coverage
        }
        let combined = RuleCoverage.combined([RuleCoverage(rule: try #require(rules.rules.first))] + runs)
        #expect(combined.count == 1)
        return try #require(combined.first)
    }

    /// A step patching the App `a`'s spec.
    static func patch(_ spec: String) -> String {
        """
            - name: "patch \(spec)"
              patch: [{apiVersion: example.com/v1, kind: App, metadata: {name: a, namespace: t}, spec: {\(spec)}}]

        """
    }

    func uncovered(_ c: RuleCoverage) -> [String] { c.uncovered.map { "\($0.subject): \($0.missing)" } }

    @Test func aNewRuleHasEveryItemUncovered() throws {
        let c = try coverage([])
        #expect(c.total == 16)
        #expect(c.coveredCount == 0)
        #expect(c.renderText().hasPrefix("coverage small: 0/16 (0%)\n  child config: never created or updated\n"))
    }

    @Test func oneTestCoversWhatItsStepsExercise() throws {
        let c = try coverage([[Self.apply("extra: false, go: false, names: []")]])
        #expect(uncovered(c) == [
            "child extra: never created or updated",
            "includeWhen of child extra: never true",
            "child copies: never created or updated",
            "forEach of child copies: never with items",
            "readyWhen of child copies: never true",
            "readyWhen of child copies: never false",
            "phase Running: never entered",
            "phase Failed: never entered",
            "transition Pending -> Running: never fired",
            "transition Running -> Failed (Broken): never fired",
            "condition Ready: never True",
        ])
        #expect(c.coveredCount == 5)
    }

    @Test func testsOfTheSameRuleAddUp() throws {
        let first = [Self.apply("extra: false, go: false, names: []")]
        // A second test: the extra child, copies (created without data: never ready), Running.
        let second = [Self.apply("extra: true, go: false, names: [x]"), Self.patch("go: true")]
        let c = try coverage([first, second])
        #expect(uncovered(c) == [
            "readyWhen of child copies: never true",
            "phase Failed: never entered",
            "transition Running -> Failed (Broken): never fired",
        ])
        #expect(c.coveredCount == 13)
        #expect(c.shownPercent == 81)
        #expect(c.renderText() == """
            coverage small: 13/16 (81%)
              readyWhen of child copies: never true
              phase Failed: never entered
              transition Running -> Failed (Broken): never fired

            """)
        let json = c.json()
        #expect(json["total"] == 16)
        #expect(json["items"]?.arrayValue?.filter { $0["covered"] == false }.compactMap { $0["missing"]?.stringValue } == ["never true", "never entered", "never fired"])
        #expect(json["items"]?.arrayValue?.first?["kind"] == "child")
    }

    @Test func coveringAnItemByKeyCountsIt() throws {
        var c = try coverage([[Self.apply("extra: false, go: false, names: []")]])
        for item in c.items where item.subject != "condition Ready" || item.missing != "never True" { c.cover(item.key) }
        #expect(c.coveredCount == 15)
        #expect(c.shownPercent == 94)
        #expect(c.percent < 100)
    }
}
