import Foundation
import Testing

/// `tend test` coverage: the text block, `--no-coverage`, `--coverage-min` and `--coverage-json`.
struct TestCoverageTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: tiny}
        spec:
          watch: {apiVersion: example.com/v1, kind: App}
          children:
            - id: extra
              includeWhen: ["${self.spec.extra}"]
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}"}}
          status:
            phase:
              initial: Pending
              transitions:
                - {from: [Pending], to: Running, when: "${self.spec.go}", reason: Started}
            conditions:
              - {type: Ready, status: "${phase == 'Running'}"}
        """

    static let test = """
        apiVersion: tend.dev/v1alpha1
        kind: RuleTest
        metadata: {name: tiny}
        spec:
          rules: [rule.yaml]
          steps:
            - name: pending
              apply: [{apiVersion: example.com/v1, kind: App, metadata: {name: a, namespace: t}, spec: {extra: true, go: false}}]
              expect: {present: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: t}}]}
        """

    /// Runs `tend test` on the tiny rule and its one-step test, with `arguments` after the directory
    /// (`$DIR` in them stands for the directory).
    func run(_ arguments: [String]) throws -> (run: EvalCommandTests.Run, dir: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-coverage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.rule.write(toFile: dir + "/rule.yaml", atomically: true, encoding: .utf8)
        try Self.test.write(toFile: dir + "/tiny.test.yaml", atomically: true, encoding: .utf8)
        return (try RuleCommandsTests().tend(["test", dir] + arguments.map { $0.replacingOccurrences(of: "$DIR", with: dir) }), dir)
    }

    @Test func coverageIsPrintedAfterTheResults() throws {
        let (run, dir) = try run([])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == """
            PASS tiny / pending

            coverage tiny: 4/8 (50%)
              includeWhen of child extra: never false
              phase Running: never entered
              transition Pending -> Running (Started): never fired
              condition Ready: never True

            1 passed, 0 failed

            """)
    }

    @Test func noCoverageHidesIt() throws {
        let (run, dir) = try run(["--no-coverage"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0)
        #expect(!run.stdout.contains("coverage"))
    }

    @Test func coverageBelowTheMinimumExitsOne() throws {
        let (below, dir) = try run(["--coverage-min", "80"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(below.status == 1)
        #expect(below.stdout.contains("1 passed, 0 failed"))
        #expect(below.stderr == "error: coverage of rule tiny is 4/8 (50%), below --coverage-min 80%\n")
        let atMinimum = try RuleCommandsTests().tend(["test", dir, "--coverage-min", "50"])
        #expect(atMinimum.status == 0, "\(atMinimum.stderr)")
    }

    @Test func coverageJSONListsEveryItem() throws {
        let (run, dir) = try run(["--no-coverage", "--coverage-json", "$DIR/coverage.json"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("coverage"))
        let data = try #require(FileManager.default.contents(atPath: dir + "/coverage.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rules = try #require(json["rules"] as? [[String: Any]])
        #expect(rules.first?["rule"] as? String == "tiny")
        #expect(rules.first?["covered"] as? Int == 4)
        let items = try #require(rules.first?["items"] as? [[String: Any]])
        #expect(items.count == 8)
        #expect(items.filter { $0["covered"] as? Bool == false }.compactMap { $0["item"] as? String } == [
            "includeWhen of child extra", "phase Running", "transition Pending -> Running (Started)", "condition Ready",
        ])
    }
}
