import Foundation
import Testing
import TendRules
import TendValue

/// Golden tests: the exact diagnostics `tend check` prints for each fixture under Fixtures/check.
@Suite struct CheckGoldenTests {
    static let directory = Bundle.module.resourcePath! + "/Fixtures"

    static var cases: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory + "/check"))?
            .filter { $0.hasSuffix(".yaml") }.sorted() ?? []
    }

    /// Fewer fixtures than this means they went missing (a renamed directory, a resource rule
    /// dropped from the manifest): a parameterized test over zero cases would pass silently.
    static let minimumCases = 7

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= Self.minimumCases, "found \(Self.cases.count) golden cases under \(Self.directory)/check")
        for file in Self.cases {
            let expected = Self.directory + "/check/" + file.replacingOccurrences(of: ".yaml", with: ".expected")
            #expect(FileManager.default.fileExists(atPath: expected), "\(file) has no .expected golden")
        }
    }

    @Test(arguments: cases)
    func diagnosticsMatchGolden(file: String) throws {
        // Locations print relative to the fixtures directory (as `check/<file>`) so goldens are portable.
        // (No change of the working directory: tests run in parallel in one process.)
        let result = RuleLoader().load(paths: [Self.directory + "/check/\(file)"])
        let rendered = result.diagnostics.map { $0.render(source: result.sources[$0.location.file]) + "\n" }.joined()
            .replacingOccurrences(of: Self.directory + "/", with: "")
        let expectedPath = Self.directory + "/check/" + file.replacingOccurrences(of: ".yaml", with: ".expected")
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(rendered == expected)
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let result = RuleLoader().load(paths: [Self.directory + "/check/misspelled.yaml"])
        #expect(result.errorCount >= 10)
        #expect(result.rules.isEmpty)
    }

    @Test func validRuleCompilesWithChildrenInDependencyOrder() throws {
        let result = RuleLoader().load(paths: [Self.directory + "/check/valid-webapp.yaml"])
        #expect(result.diagnostics.isEmpty)
        let rule = try #require(result.rules.first)
        #expect(rule.name == "webapp")
        #expect(rule.children.map(\.id) == ["deployment", "service", "routes"])
        #expect(rule.children[2].dependencies == ["service"])
        #expect(rule.children[2].forEach.map(\.name) == ["host"])
        #expect(rule.watch.labelSelector == "tier=web")
        #expect(rule.watch.fieldSelector == "metadata.name!=legacy")
        #expect(rule.status.phase?.phases == ["Pending", "Failed", "Running", "Degraded"])
        #expect(rule.status.phase?.transitions.first?.from == [])  // "*" means any
        #expect(rule.lookups.first?.isList == false)
        #expect(rule.schema?.plural == "webapps")
    }
}
