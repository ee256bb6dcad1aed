import Testing

/// kubectl's `-v=N` forms are accepted beside the counted `-v`.
struct VerbosityTests {
    @Test(arguments: [["-v=4"], ["-v", "4"], ["--v=4"], ["--v", "2"], ["-v4"], ["-v=0"], ["-v"], ["-vv"]])
    func kubectlVerbosityFormsAreAccepted(_ verbosity: [String]) throws {
        let plan = try RuleCommandsTests().tend(["plan", "rules/webapp", "--state", "examples/webapp"] + verbosity)
        #expect(plan.status == 2, "\(verbosity): \(plan.stderr)")
        #expect(plan.stdout.hasSuffix("Plan: 2 to create, 0 to update, 0 to delete, 1 status change.\n"))
    }

    @Test func aValueThatIsNotALevelIsStillAnError() throws {
        let bad = try RuleCommandsTests().tend(["plan", "rules/webapp", "--state", "examples/webapp", "-v=high"])
        #expect(bad.status == 64, "\(bad.stderr)")
        // After `--`, nothing is rewritten: "-v=4" is a path argument there.
        let literal = try RuleCommandsTests().tend(["plan", "--state", "examples/webapp", "--", "rules/webapp", "-v=4"])
        #expect(literal.status == 1, "\(literal.stderr)")
    }
}
