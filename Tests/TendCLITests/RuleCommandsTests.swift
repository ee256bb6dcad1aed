import Foundation
import TendTesting
import Testing

/// `tend check`, `plan --state`, `test` and `crds` end to end on the shipped webapp rule.
struct RuleCommandsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func tend(_ args: [String]) throws -> EvalCommandTests.Run {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle")
        return EvalCommandTests.Run(try runProcess(exe, args, environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"], directory: Self.root))
    }

    @Test func checkAcceptsShippedRulesAndRejectsBrokenOnes() throws {
        let ok = try tend(["check", "rules"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("OK"))
        let bad = try tend(["check", "Tests/TendRulesTests/Fixtures/check/misspelled.yaml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("misspelled.yaml:9:5: error: unknown field \"selectr\" in watch (did you mean \"selector\"?)"))
        #expect(bad.stderr.contains("^~~~~~~"))
        let json = try tend(["check", "-o", "json", "Tests/TendRulesTests/Fixtures/check/misspelled.yaml"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"ok\": false"))
        #expect(json.stdout.contains("\"line\": 9"))
    }

    @Test func checkRejectsFieldsTheSchemaDoesNotDeclare() throws {
        let bad = try tend(["check", "Tests/TendRulesTests/Fixtures/check/schema-fields.yaml"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("""
            schema-fields.yaml:17:23: error: self.spec has no field "replicsa"; did you mean "replicas"?
             17 |     when: ${self.spec.replicsa > 0}
                |                       ^~~~~~~~
            """), "\(bad.stderr)")
        #expect(bad.stderr.contains("schema-fields.yaml:23:43: error: self.metadata has no field \"nmae\"; did you mean \"name\"?"))
        #expect(bad.stderr.contains("error: self.spec.ports[0] has no field \"prot\"; did you mean \"port\"?"))
        #expect(bad.stderr.contains("error: self.spec.replicas is an integer in the schema, but it is compared with a string"))
        let ok = try tend(["check", "examples"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func offlinePlanShowsChangesWithDetailedExitCodes() throws {
        let plan = try tend(["plan", "rules/webapp", "--state", "examples/webapp"])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(plan.stdout.contains("+ create Deployment.v1.apps demo/shop"))
        #expect(plan.stdout.contains("+  replicas: 2"))
        #expect(plan.stdout.contains("phase: <none> -> Pending"))
        #expect(plan.stdout.hasSuffix("Plan: 2 to create, 0 to update, 0 to delete, 1 status change.\n"))
        let json = try tend(["plan", "rules/webapp", "--state", "examples/webapp", "-o", "json"])
        #expect(json.status == 2)
        #expect(json.stdout.contains("\"action\": \"create\""))
        #expect(json.stdout.contains("\"create\": 2"))
        // Secret values never show in a plan.
        let secrets = try tend(["plan", "rules/replicate", "--state", "examples/replicate"])
        #expect(secrets.status == 2, "\(secrets.stderr)")
        #expect(secrets.stdout.contains("+ create Secret.v1 shop/registry-token"))
        #expect(secrets.stdout.contains("token: (sensitive value)"))
        #expect(!secrets.stdout.contains("bm90LWEtcmVhbC10b2tlbg=="))
        // No watched object in the state: nothing to do, exit 0.
        let empty = try tend(["plan", "rules/webapp", "--state", "rules/webapp/crd.yaml"])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("Plan: 0 to create, 0 to update, 0 to delete, 0 status changes."))
    }

    @Test func ruleTestsPassAndFailuresExitOne() throws {
        let pass = try tend(["test", "rules"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("PASS webapp / the Deployment becomes available"))
        #expect(pass.stdout.contains("PASS namespace-bootstrap / changing the team label rebinds the role"))
        #expect(pass.stdout.contains("PASS replicate / deleting a source deletes its copies, then the finalizer lets it go"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("rules/webapp/rule.yaml").path, toPath: dir + "/rule.yaml")
        let test = try String(contentsOfFile: Self.root.appendingPathComponent("rules/webapp/webapp.test.yaml").path, encoding: .utf8)
        try test.replacingOccurrences(of: "phase: Running,", with: "phase: Walking,").write(toFile: dir + "/t.yaml", atomically: true, encoding: .utf8)
        let fail = try tend(["test", dir, "--junit", dir + "/junit.xml"])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("FAIL webapp / the Deployment becomes available"))
        #expect(fail.stdout.contains("-  phase: Walking"))
        #expect(fail.stdout.contains("+  phase: Running"))
        let junit = try String(contentsOfFile: dir + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("failures=\"1\""))
    }

    @Test func explainExitsThreeWhenNoRuleSelectsAndOneWhenTheObjectIsMissing() throws {
        let unselected = try tend(["explain", "rules", "webapps/legacy", "--state", "Tests/TendRulesTests/Fixtures/explain"])
        #expect(unselected.status == 3, "\(unselected.stderr)")
        #expect(unselected.stdout.contains("rule webapp: does not select this object"))
        #expect(unselected.stdout.contains("no labelSelector: tier=web does not match labels {tier=db}"))
        #expect(unselected.stdout.contains("no fieldSelector: metadata.name!=legacy (metadata.name=legacy)"))
        #expect(unselected.stdout.contains("rule replicate-configmaps: no kind: watches ConfigMap.v1, not WebApp.v1.example.com"))
        #expect(unselected.stdout.hasSuffix("No rule selects this object (4 rules loaded).\n"))
        let json = try tend(["explain", "rules/webapp", "webapp.example.com/legacy", "-o", "json", "--state", "Tests/TendRulesTests/Fixtures/explain"])
        #expect(json.status == 3)
        #expect(json.stdout.contains("\"selected\": false"))
        let missing = try tend(["explain", "rules/webapp", "WebApp/nothing", "-n", "demo", "--state", "examples/webapp"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error: WebApp nothing not found in namespace demo in the state files"))
        let unknownKind = try tend(["explain", "rules/webapp", "gadget/shop", "--state", "examples/webapp"])
        #expect(unknownKind.status == 1)
        #expect(unknownKind.stderr.contains("no kind \"gadget\""))
        let badRules = try tend(["explain", "Tests/TendRulesTests/Fixtures/check/misspelled.yaml", "WebApp/shop", "--state", "examples/webapp"])
        #expect(badRules.status == 1)
        #expect(badRules.stderr.contains("misspelled.yaml:9:5: error: unknown field \"selectr\" in watch"))
    }

    @Test func crdsPrintsTheGeneratedDefinition() throws {
        let crds = try tend(["crds", "rules/webapp"])
        #expect(crds.status == 0)
        #expect(crds.stdout.contains("name: webapps.example.com"))
        #expect(crds.stdout.contains("subresources:"))
        #expect(crds.stdout.contains("jsonPath: .status.phase"))
        let committed = try String(contentsOf: Self.root.appendingPathComponent("rules/webapp/crd.yaml"), encoding: .utf8)
        #expect(crds.stdout == committed, "rules/webapp/crd.yaml is out of date: regenerate it with tend crds")
    }
}

/// Golden outputs: exact text and JSON of `tend plan` and `tend explain` (offline, at a fixed time) and of `tend test`.
/// Regenerate with the commands in each test after an intended change, and review the diff.
struct GoldenOutputTests {
    func golden(_ name: String) throws -> String {
        try String(contentsOf: RuleCommandsTests.root.appendingPathComponent("Tests/TendCLITests/Goldens/\(name)"), encoding: .utf8)
    }

    @Test(arguments: [
        (["plan", "rules/webapp", "--state", "examples/webapp", "--now", "2026-01-01T00:00:00Z"], "plan-webapp.txt", Int32(2)),
        (["plan", "rules/webapp", "--state", "examples/webapp", "--now", "2026-01-01T00:00:00Z", "-o", "json"], "plan-webapp.json", Int32(2)),
        (["test", "rules"], "test-rules.txt", Int32(0)),
        (["explain", "rules/webapp", "WebApp/shop", "-n", "demo", "--state", "examples/webapp", "--now", "2026-01-01T00:00:00Z"], "explain-webapp.txt", Int32(0)),
        (["explain", "rules/webapp", "WebApp/shop", "-n", "demo", "--state", "examples/webapp", "--now", "2026-01-01T00:00:00Z", "-o", "json"], "explain-webapp.json", Int32(0)),
    ])
    func outputMatchesGolden(arguments: [String], file: String, status: Int32) throws {
        let run = try RuleCommandsTests().tend(arguments)
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.stdout == (try golden(file)))
    }
}
