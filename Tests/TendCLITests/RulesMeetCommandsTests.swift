import Foundation
import Testing

/// `tend check`, `tend test` and `tend plan --state` on the rules of `examples/meet`: rules that meet
/// on one object, chains, status-driven children, timed phases.
struct RulesMeetCommandsTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }

    @Test func theExamplesCheckAndTheirTestsPass() throws {
        let check = try tend(["check", "examples/meet"])
        #expect(check.status == 0, "\(check.stderr)")
        let test = try tend(["test", "examples/meet"])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains("11 passed, 0 failed"), "\(test.stdout)")
    }

    @Test func aPlanFollowsTheChainOfRules() throws {
        let plan = try tend(["plan", "examples/meet/chain.yaml", "--state", "examples/meet/tenant.yaml", "--now", "2026-01-01T00:00:00Z"])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(plan.stdout.contains("rule environment: ConfigMap.v1 shop/acme-env\n  (follows from rule tenant creating ConfigMap.v1 shop/acme-env)\n  + create ConfigMap.v1 shop/acme-env-app"), "\(plan.stdout)")
        #expect(plan.stdout.contains("rule app: ConfigMap.v1 shop/acme-env-app\n  (follows from rule environment creating ConfigMap.v1 shop/acme-env-app)\n  + create ConfigMap.v1 shop/acme-env-app-settings"))
        #expect(plan.stdout.contains("Plan: 3 to create, 1 to update, 0 to delete, 0 status changes."))

        let json = try tend(["plan", "examples/meet/chain.yaml", "--state", "examples/meet/tenant.yaml", "--now", "2026-01-01T00:00:00Z", "-o", "json"])
        #expect(json.status == 2)
        #expect(json.stdout.contains(#""followsFrom""#) && json.stdout.contains(#""depth": 2"#), "\(json.stdout)")
    }
}
