import Foundation
@testable import TendRules
import TendMeta
import TendValue
import TendYAML
import Testing

/// The load-time cost estimate with a schema: `maxItems` and `maxProperties` bound comprehension
/// ranges, through comprehension variables, so a rule whose worst case is over the runtime limit
/// is refused by `tend check` where it is, as the API server refuses such a CRD validation rule.
@Suite struct CostEstimateTests {
    /// A rule whose `watch.when` is `${expr}` (line 15, column 14), with `groups` bounded to
    /// `groups` items of up to `members` members each (nil: no bound) and `labels` to 64 entries.
    static func rule(_ expr: String, groups: Int?, members: Int?) -> String {
        func bound(_ n: Int?) -> String { n.map { ", maxItems: \($0)" } ?? "" }
        return """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: teams}
            spec:
              schema:
                group: example.com
                version: v1
                kind: Team
                spec:
                  groups: {type: array\(bound(groups)), items: {type: object, properties: {members: {type: array\(bound(members)), items: {type: string}}}}}
                  labels: {type: object, maxProperties: 64, additionalProperties: {type: string}}
              watch:
                apiVersion: example.com/v1
                kind: Team
                when: '${\(expr)}'
            """
    }

    static func errors(_ yaml: String) throws -> [String] {
        RuleCompiler.compile(try YAML.parse(yaml, file: "team.yaml")).diagnostics.filter { $0.severity == .error }
            .map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    static let nested = "self.spec.groups.all(g, g.members.all(m, m != \"\"))"

    @Test func boundedNestedLoopsOverTheLimitAreRefused() throws {
        let errors = try Self.errors(Self.rule(Self.nested, groups: 1000, members: 2000))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("15:31: the worst-case cost of this comprehension is 8008000 units, over the limit of 1000000 for one evaluation: it can visit 1000 elements at 8008 units each") == true, "\(errors)")
    }

    @Test func boundsWithinTheLimitPass() throws {
        #expect(try Self.errors(Self.rule(Self.nested, groups: 100, members: 100)) == [])
    }

    /// Either range unbounded: no estimate (the runtime limit applies).
    @Test(arguments: [(nil, 2000), (1000, nil), (nil, nil)] as [(Int?, Int?)])
    func unboundedRangesAreLeftToRunTime(groups: Int?, members: Int?) throws {
        #expect(try Self.errors(Self.rule(Self.nested, groups: groups, members: members)) == [])
    }

    @Test func mapsAreBoundedByMaxProperties() throws {
        #expect(try Self.errors(Self.rule("self.spec.labels.all(k, self.spec.labels.all(j, k != j || true))", groups: nil, members: nil)) == [])
        let errors = try Self.errors(Self.rule("self.spec.labels.all(k, lists.range(20000).all(i, i >= 0))", groups: nil, members: nil))
        #expect(errors.first?.contains("it can visit 64 elements at") == true, "\(errors)")
    }

    /// docs/expressions.md shows the error `tend check` prints for the nested loop.
    @Test func theDocsShowTheErrorAsPrinted() throws {
        let diagnostic = try #require(RuleCompiler.compile(try YAML.parse(Self.rule(Self.nested, groups: 1000, members: 2000), file: "rules/teams.yaml")).diagnostics.first)
        let line = "\(diagnostic.location.file):\(diagnostic.location.line):\(diagnostic.location.column): error: \(diagnostic.message)"
        let docs = try String(contentsOf: DocsExamplesTests.root.appendingPathComponent("docs/expressions.md"), encoding: .utf8)
        #expect(docs.components(separatedBy: "\n").contains(line), "\(line)")
    }
}
