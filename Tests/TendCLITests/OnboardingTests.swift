import Foundation
import Testing

/// What a new user sees first: a folder without rules, and a test whose object never appears.
struct OnboardingTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }

    @Test func checkingAFolderWithoutRulesFailsAndSaysWhatItSkipped() throws {
        let run = try tend(["check", "Tests/TendCLITests/Fixtures/onboarding/kro"])
        #expect(run.status == 1, "no rules is not a success")
        #expect(run.stderr.contains("error: no rules found in Tests/TendCLITests/Fixtures/onboarding/kro; a rule has apiVersion: tend.dev/v1alpha1 and kind: Rule"), "\(run.stderr)")
        #expect(run.stderr.contains("skipped: ConfigMap (v1), ResourceGraphDefinition (kro.run/v1alpha1)"))
        #expect(run.stderr.contains("kro ResourceGraphDefinitions are not read as rules: convert them with `tend import kro"))
        #expect(!run.stdout.contains("OK"))
    }

    @Test func aTestShowsTheErrorBehindAMissingObject() throws {
        let run = try tend(["test", "Tests/TendCLITests/Fixtures/onboarding/missing"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("expected ConfigMap t/a-copy to exist; it does not; problems in the last reconcile:"), "\(run.stdout)")
        #expect(run.stdout.contains(#"rule typo, ConfigMap.v1 t/a: TemplateError: child copy: template:"#))
        #expect(run.stdout.contains(#"error: no such key: "missing""#))
    }
}
