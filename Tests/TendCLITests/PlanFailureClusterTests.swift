import Foundation
import TendKube
import TendMeta
import TendTesting
import TendValue
import Testing

/// A command that could not do its job never exits 0: `tend plan`, `tend explain` and
/// `tend check --cluster` against a cluster they cannot verify, rules whose kind is not served, and
/// (plan) listing the server forbids.
@Suite(.enabled(if: LocalCluster.shouldRun, "needs a local cluster (scripts/local-cluster up)"), .awaitsCleanup)
struct PlanFailureClusterTests {
    static let scratch: String = {
        let dir = NSTemporaryDirectory() + "tend-plan-failure-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    func write(_ name: String, _ text: String) throws -> String {
        let path = Self.scratch + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The cluster's kubeconfig with `certificate-authority` replaced (and any other `cluster`/`user` lines).
    func kubeconfig(_ name: String, server: String, cluster: String, user: String) throws -> String {
        try write(name, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: \(server)
            \(cluster.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
            users:
            - name: u
              user:
            \(user.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
            contexts:
            - name: c
              context: {cluster: c, user: u, namespace: default}
            current-context: c
            """)
    }

    /// A kubeconfig for the test cluster whose CA is a fresh one that did not sign the server's certificate.
    func wrongCAKubeconfig() throws -> String {
        let cluster = try LocalCluster.require()
        let ca = Self.scratch + "/other-ca"
        _ = try runCommand("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=not-the-cluster-ca",
            "-keyout", ca + ".key", "-out", ca + ".crt",
        ])
        return try kubeconfig(
            "wrong-ca.kubeconfig", server: cluster.configuration.server, cluster: "certificate-authority: \(ca).crt",
            user: "client-certificate: \(try cluster.file("admin.crt"))\nclient-key: \(try cluster.file("admin.key"))")
    }

    func tend(_ args: [String]) throws -> EvalCommandTests.Run {
        try RuleCommandsTests().tend(args)
    }

    static let configMapRule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: copy-config}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {a: "b"}}
        """

    @Test func aClusterThatCannotBeVerifiedFailsPlanExplainAndCheck() throws {
        let bad = try wrongCAKubeconfig()
        let plan = try tend(["plan", "rules/webapp", "--kubeconfig", bad])
        #expect(plan.status == 1, "stdout: \(plan.stdout)\nstderr: \(plan.stderr)")
        #expect(plan.stderr.contains("error: cannot plan rule webapp"), "\(plan.stderr)")
        #expect(plan.stderr.contains("certificate"), "\(plan.stderr)")
        #expect(plan.stdout.contains("1 rule could not be planned"), "\(plan.stdout)")

        let json = try tend(["plan", "rules/webapp", "--kubeconfig", bad, "-o", "json"])
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"notPlanned\": 1"), "\(json.stdout)")

        let explain = try tend(["explain", "rules/webapp", "WebApp/shop", "--kubeconfig", bad, "-n", "default"])
        #expect(explain.status == 1, "\(explain.stderr)")
        #expect(explain.stderr.contains("error:"), "\(explain.stderr)")

        let check = try tend(["check", "--cluster", "rules", "--kubeconfig", bad])
        #expect(check.status == 1, "\(check.stderr)")
        #expect(check.stderr.contains("error: cannot fetch the cluster's schemas"), "\(check.stderr)")
    }

    @Test func aRuleWhoseCRDIsNotInstalledFailsThePlan() throws {
        let cluster = try LocalCluster.require()
        let rule = try write("gizmo.yaml", """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: gizmos}
            spec:
              watch: {apiVersion: not-installed.tend-test.dev/v1, kind: Gizmo}
              children:
                - id: config
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}"}, data: {a: "b"}}
            """)
        let plan = try tend(["plan", rule, "--kubeconfig", try cluster.file("kubeconfig")])
        #expect(plan.status == 1, "stdout: \(plan.stdout)\nstderr: \(plan.stderr)")
        #expect(plan.stderr.contains("error: cannot plan rule gizmos"), "\(plan.stderr)")
        #expect(plan.stderr.contains("Gizmo"), "\(plan.stderr)")
        #expect(plan.stderr.contains("is its CRD installed?"), "\(plan.stderr)")
    }

    /// A service account without RBAC: discovery works, listing ConfigMaps is forbidden and the
    /// reflector would retry forever. The plan gives up after --timeout, naming the kind.
    @Test func listingForbiddenFailsAfterTheTimeout() async throws {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        AwaitedCleanup.add { await client.shutdown() }
        let ns = "plan-forbidden-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        AwaitedCleanup.add { _ = try? await namespaces.delete(ns) }
        let accounts = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ServiceAccount")!, namespace: ns)
        _ = try await accounts.create(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "nobody"]])
        var token: String?
        await poll(until: "the service account's token secret") {
            guard let name = try? await accounts.get("nobody")["secrets"]?[0]?["name"]?.stringValue,
                let secret = try? await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Secret")!, namespace: ns).get(name),
                let encoded = secret["data"]?["token"]?.stringValue, let data = Data(base64Encoded: encoded)
            else { return false }
            token = String(decoding: data, as: UTF8.self)
            return true
        }
        let config = try kubeconfig(
            "nobody.kubeconfig", server: cluster.configuration.server, cluster: "certificate-authority: \(try cluster.file("ca.crt"))",
            user: "token: \(try #require(token))")
        let rule = try write("copy-config.yaml", Self.configMapRule)
        let start = ContinuousClock.now
        let plan = try tend(["plan", rule, "--kubeconfig", config, "-n", ns, "--timeout", "3s"])
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(plan.status == 1, "stdout: \(plan.stdout)\nstderr: \(plan.stderr)")
        #expect(plan.stderr.contains("error: cannot plan rule copy-config: the cache did not sync within 3s (--timeout)"), "\(plan.stderr)")
        #expect(plan.stderr.contains("ConfigMap.v1 in namespace \(ns)"), "\(plan.stderr)")
        #expect(plan.stderr.contains("forbidden"), "\(plan.stderr)")
        let bad = try tend(["plan", rule, "--kubeconfig", config, "--timeout", "soon"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }
}
