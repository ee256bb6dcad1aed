import Foundation
import TendTesting
import Testing

/// `tend check --cluster` against the local dev cluster (skipped without one, as every cluster
/// suite): the shipped rules pass, and a template typo is an error at its key with a caret.
@Suite(.enabled(if: LocalCluster.shouldRun, "needs a local cluster (scripts/local-cluster up)"))
struct CheckClusterTests {
    /// Runs `tend check --cluster` with the local cluster's kubeconfig.
    func check(_ args: [String]) throws -> EvalCommandTests.Run {
        let cluster = try LocalCluster.require()
        let env = ProcessInfo.processInfo.environment
        let kubeconfig = try cluster.directory.map { _ in try cluster.file("kubeconfig") } ?? env["KUBECONFIG"] ?? ""
        return try RuleCommandsTests().tend(["check", "--cluster", "--kubeconfig", kubeconfig] + args)
    }

    @Test func shippedRulesPassAgainstTheClusterSchemas() throws {
        let ok = try check(["rules"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr == "", "no errors or warnings expected: \(ok.stderr)")
        #expect(ok.stdout.contains("4 rules OK in 3 files (checked against the cluster's schemas)"), "\(ok.stdout)")
        let examples = try check(["examples", "Tests/TendRulesTests/Fixtures/check/valid-webapp.yaml"])
        #expect(examples.status == 0, "\(examples.stderr)")
    }

    @Test func templateTyposAreErrorsWithCarets() throws {
        let file = "Tests/TendRulesTests/Fixtures/cluster/template-typo.yaml"
        let bad = try check([file])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("""
            template-typo.yaml:17:11: error: Deployment.v1.apps has no field spec.replicsa; did you mean "replicas"?
             17 |           replicsa: 2
                |           ^~~~~~~~
            """), "\(bad.stderr)")
        #expect(bad.stderr.contains("""
            template-typo.yaml:23:31: error: deployment.status has no field "availableReplica"; did you mean "availableReplicas"?
            """), "\(bad.stderr)")
        #expect(bad.stderr.contains("2 errors, 0 warnings"))
        // Offline, the same file is fine: only the cluster knows Deployment's fields.
        let offline = try RuleCommandsTests().tend(["check", file])
        #expect(offline.status == 0, "\(offline.stderr)")

        let json = try check(["-o", "json", file])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"ok\": false"))
        #expect(json.stdout.contains("\"message\": \"Deployment.v1.apps has no field spec.replicsa; did you mean \\\"replicas\\\"?\""), "\(json.stdout)")
        #expect(json.stdout.contains("\"line\": 17"))
    }

    @Test func anUnreachableClusterIsAnError() throws {
        let bad = try RuleCommandsTests().tend(["check", "--cluster", "--kubeconfig", "/nonexistent/kubeconfig", "rules"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("error:"))
    }
}
