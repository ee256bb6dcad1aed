import Foundation
import Testing
import TendValue

/// `tend import kro` as users run it: exit codes, where the rules and the report go, `-o DIR`,
/// `--output json`, and that what it writes passes `tend check` and `tend plan --state`.
struct ImportCommandTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }
    static let kro = "Tests/TendRulesTests/Fixtures/kro/"

    @Test func aConvertedRGDGoesToStdoutAndTheReportToStderr() throws {
        let run = try tend(["import", "kro", Self.kro + "webapp/rg.yaml"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("# Converted by `tend import kro` from the kro ResourceGraphDefinition \"webapp.kro.run\""))
        #expect(run.stdout.contains("kind: Rule\nmetadata:\n  name: webapp\n"))
        #expect(run.stderr.contains("webapp/rg.yaml: webapp.kro.run -> rule webapp: converted\n"), "\(run.stderr)")
        #expect(run.stderr.hasSuffix("1 ResourceGraphDefinition read, 1 converted, 0 need manual edits\n"))
    }

    @Test func manualEditsExitThreeAndAreListedByPath() throws {
        let run = try tend(["import", "kro", Self.kro + "cel-functions/rg.yaml"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("  manual: spec.resources[0].template.spec.template.spec.containers[0].env[3].value: tend check: undeclared reference to function 'random.seededString'"), "\(run.stderr)")
        #expect(run.stdout.contains("# tend check reports (fix by hand):\n#   spec.resources[0]"))
    }

    @Test func aFileWithoutAnRGDExitsOne() throws {
        let run = try tend(["import", "kro", Self.kro + "webapp/instance.yaml", "no-such-file.yaml"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: \(Self.kro)webapp/instance.yaml: no kro ResourceGraphDefinition"), "\(run.stderr)")
        #expect(run.stderr.contains("error: no-such-file.yaml: cannot read the file"))
    }

    @Test func aDirectoryOfRulesPassesCheckAndPlan() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-import-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let saas = ["tenant-rgd.yaml", "tenant-environment-rgd.yaml", "tenant-application-rgd.yaml"].map { Self.kro + "saas-multi-tenant/" + $0 }
        let run = try tend(["import", "kro", "-o", dir] + saas)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["tenant.yaml", "tenantapplication.yaml", "tenantenvironment.yaml"])
        let check = try tend(["check", dir])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "3 rules OK in 3 files\n")
        // kro's instance: the Tenant's two nested instances are planned, and what the rules watching them would create.
        let plan = try tend(["plan", dir, "--state", Self.kro + "saas-multi-tenant/tenant-instance.yaml"])
        #expect(plan.status == 2, "\(plan.stderr)")
        for object in [
            "create TenantEnvironment.v1alpha1.kro.run default/tenant001", "create TenantApplication.v1alpha1.kro.run default/tenant001",
            "create Namespace.v1 tenant001", "create ResourceQuota.v1 tenant001/tenant001-quota",
            "create NetworkPolicy.v1.networking.k8s.io tenant001/tenant001-isolation",
            "create Deployment.v1.apps tenant001/tenant001-deployment", "create Service.v1 tenant001/tenant001-service",
        ] {
            #expect(plan.stdout.contains(object), "\(object) not planned: \(plan.stdout)")
        }
        #expect(plan.stdout.contains("Plan: 7 to create"))
    }

    @Test func twoRGDsOfOneNameAreRefused() throws {
        let run = try tend(["import", "kro", Self.kro + "defaults/rg.yaml", Self.kro + "job-example/rgd.yaml", Self.kro + "cel-functions/rg.yaml"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("somethings.kro.run gives the rule name somethings, as an RGD in \(Self.kro)defaults/rg.yaml does"), "\(run.stderr)")
    }

    @Test func theReportAsJSON() throws {
        let run = try tend(["import", "kro", "--output", "json", Self.kro + "webapp/rg.yaml", Self.kro + "cel-functions/rg.yaml"])
        #expect(run.status == 3)
        let report = try JSON.parse(run.stdout)
        let conversions = try #require(report["conversions"]?.arrayValue)
        #expect(conversions.map { $0["rule"] } == ["webapp", "somethings"])
        #expect(conversions.map { $0["converted"] } == [true, false])
        #expect(conversions[0]["yaml"]?.stringValue?.contains("kind: Rule") == true)
        #expect(conversions[1]["findings"]?.arrayValue?.count == 1)
        #expect(conversions[1]["findings"]?[0]?["severity"] == "manual")
    }
}
