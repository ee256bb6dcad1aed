import Foundation
import Testing
import TendCEL
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// `now` in rules: a timestamp bound at each reconcile, and a requeue for the instant an
/// expression reading it can next change (the boundary of a comparison with `now`), or after the
/// rule's period when no boundary can be computed.
@Suite struct TimeRequeueTests {
    static let start = RFC3339.parse("2026-01-01T00:00:00Z")!

    /// The boundaries CEL finds for comparisons of each shape, with `now` at `start`.
    @Test(arguments: [
        ("now > timestamp('2026-01-01T01:00:00Z')", ["2026-01-01T01:00:00Z"]),
        ("timestamp('2026-01-01T01:00:00Z') <= now", ["2026-01-01T01:00:00Z"]),
        ("now + duration('30m') >= timestamp('2026-01-01T01:00:00Z')", ["2026-01-01T00:30:00Z"]),
        ("now - duration('30m') < timestamp('2026-01-01T01:00:00Z')", ["2026-01-01T01:30:00Z"]),
        ("now - timestamp('2025-12-31T23:00:00Z') > duration('2h')", ["2026-01-01T01:00:00Z"]),
        ("timestamp('2026-01-01T02:00:00Z') - now < duration('1h')", ["2026-01-01T01:00:00Z"]),
        ("now.getHours() >= 9", []),
        ("x > 1 && now < timestamp(t)", ["2026-03-01T00:00:00Z"]),
    ])
    func boundaries(_ expression: String, _ expected: [String]) throws {
        var env = CELEnvironment(variables: ["x", "t"])
        env.declareClock("now")
        let program = try CELProgram(expression, environment: env)
        #expect(program.readsTimeVariable)
        let found = program.timeBoundaries(["now": "2026-01-01T00:00:00Z", "x": 2, "t": "2026-03-01T00:00:00Z"]).map(\.description)
        #expect(found == expected)
    }

    @Test func nowIsATimestampInExpressions() throws {
        var env = CELEnvironment()
        env.declareClock("now")
        let program = try CELProgram("now + duration('1h') == timestamp('2026-01-01T01:00:00Z')", environment: env)
        #expect(try program.evaluate(["now": "2026-01-01T00:00:00Z"]) == .bool(true))
    }

    static func plan(_ rule: String, now: Date = start) throws -> ReconcilePlan {
        let (compiled, diagnostics) = RuleCompiler.compile(try YAML.parse(rule, file: "time.yaml"))
        let r = try #require(compiled, "\(diagnostics)")
        let grant: Value = ["apiVersion": "example.com/v1", "kind": "Grant", "metadata": ["name": "g", "namespace": "t", "uid": "u"], "spec": ["expiresAt": "2026-01-01T02:00:00Z"]]
        return Planner(rule: r).plan(parent: grant, world: InMemoryWorld(objects: [grant]), now: now)
    }

    static func rule(_ condition: String, requeueAfter: String? = nil) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: grants}
        spec:
          watch: {apiVersion: example.com/v1, kind: Grant}
        \(requeueAfter.map { "  requeueAfter: \($0)\n" } ?? "")  status:
            conditions:
              - type: Due
                status: "\(condition)"
        """
    }

    @Test func aReconcileIsRequeuedForTheNextBoundary() throws {
        let plan = try Self.plan(Self.rule("${now >= timestamp(self.spec.expiresAt)}"))
        #expect(plan.requeueAfter == .milliseconds(2 * 3_600_000 + 1))
        // After the boundary: nothing left to wait for.
        let later = try Self.plan(Self.rule("${now >= timestamp(self.spec.expiresAt)}"), now: Self.start.addingTimeInterval(3 * 3600))
        #expect(later.requeueAfter == nil)
    }

    @Test func withoutABoundaryTheRulePeriodApplies() throws {
        #expect(try Self.plan(Self.rule("${now.getHours() >= 9}")).requeueAfter == Rule.defaultTimePeriod)
        #expect(try Self.plan(Self.rule("${now.getHours() >= 9}", requeueAfter: "5m")).requeueAfter == .seconds(300))
    }

    @Test func rulesWithoutNowAreNotRequeued() throws {
        #expect(try Self.plan(Self.rule("${self.spec.expiresAt == ''}")).requeueAfter == nil)
    }

    @Test func aBadPeriodIsReportedWhereItIs() throws {
        let (_, diagnostics) = RuleCompiler.compile(try YAML.parse(Self.rule("${now.getHours() >= 9}", requeueAfter: "soon"), file: "time.yaml"))
        #expect(diagnostics.contains { $0.message.contains("invalid duration \"soon\"") && $0.location.line == 6 }, "\(diagnostics)")
    }
}
