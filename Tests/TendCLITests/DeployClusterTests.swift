import Foundation
import TendTesting
import TendValue
import Testing

/// deploy/ and its overlay examples/in-cluster, as kubectl builds them (`kubectl kustomize`, the
/// kustomize v2.0.3 of kubectl 1.20), are accepted by the local control plane
/// (`kubectl apply --server-side --dry-run=server`), and the Deployment the server would store runs
/// `tend run` as docs/install.md describes. The namespace tend-system is renamed to one of the
/// test's own (created for the dry run and deleted), so the test never touches a real install.
@Suite(.enabled(if: LocalCluster.shouldRun, "needs a local cluster (scripts/local-cluster up)"))
struct DeployClusterTests {
    static let directories = ["deploy", "examples/in-cluster"]

    /// Runs kubectl from PATH (`eval "$(scripts/local-cluster env)"` puts the cluster's on it)
    /// against the local cluster.
    func kubectl(_ args: [String]) throws -> ProcessOutput {
        let cluster = try LocalCluster.require()
        var env = ProcessInfo.processInfo.environment
        if cluster.directory != nil { env["KUBECONFIG"] = try cluster.file("kubeconfig") }
        return try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["kubectl"] + args, environment: env, directory: RuleCommandsTests.root)
    }

    @Test(arguments: directories)
    func kustomizationIsAcceptedByTheServer(_ directory: String) throws {
        let built = try kubectl(["kustomize", directory])
        #expect(built.status == 0, "kubectl kustomize \(directory): \(built.stderr)")
        guard built.status == 0 else { return }
        for kind in ["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "Deployment"] {
            #expect(built.stdout.contains("\nkind: \(kind)\n"), "\(directory) has no \(kind)")
        }

        let namespace = "tend-deploy-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let manifests = FileManager.default.temporaryDirectory.appendingPathComponent("\(namespace).yaml")
        try built.stdout.replacingOccurrences(of: "tend-system", with: namespace).write(to: manifests, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: manifests) }
        // A server-side dry run creates nothing, so the namespaced objects need a namespace that exists.
        let created = try kubectl(["create", "namespace", namespace])
        #expect(created.status == 0, "\(created.stderr)")
        defer { _ = try? kubectl(["delete", "namespace", namespace, "--wait=false"]) }

        let applied = try kubectl(["apply", "--server-side", "--dry-run=server", "-f", manifests.path, "-o", "json"])
        #expect(applied.status == 0, "kubectl apply --server-side --dry-run=server of \(directory): \(applied.stderr)")
        guard applied.status == 0 else { return }
        let items = try JSON.parse(applied.stdout)["items"]?.arrayValue ?? []
        #expect(items.count >= 11, "\(applied.stdout.prefix(500))")
        let deployment = try #require(items.first { $0["kind"] == "Deployment" }, "no Deployment was applied")
        try expectTendRun(deployment, namespace: namespace)

        let rules = try #require(items.first { $0["kind"] == "ConfigMap" && $0["metadata"]?["name"] == "tend-rules" })
        var keys = ["namespace-bootstrap.yaml", "replicate.yaml", "webapp.yaml"]
        if directory == "examples/in-cluster" { keys.append("expose.yaml") }
        #expect(rules["data"]?.objectValue?.keys.sorted() == keys.sorted())
    }

    /// The pod the server would run: tend run with leader election, probes, sized resources, locked down.
    func expectTendRun(_ deployment: Value, namespace: String) throws {
        #expect(deployment["spec"]?["replicas"] == 2)
        let pod = try #require(deployment["spec"]?["template"]?["spec"])
        #expect(pod["serviceAccountName"] == "tend")
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"]?.stringValue?.hasSuffix("tend:\(try version())") == true, "\(container["image"] ?? .null)")
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(args.starts(with: ["run", "/etc/tend/rules", "--leader-elect", "--lease-namespace", namespace, "--health-addr", ":8081"]), "\(args)")
        #expect(container["livenessProbe"]?["httpGet"]?["path"] == "/healthz")
        #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/readyz")
        #expect(container["ports"]?[0]?["containerPort"] == 8081)
        #expect(container["resources"]?["requests"]?["memory"] == "64Mi")
        #expect(container["resources"]?["limits"]?["memory"] == "192Mi")
        let security = try #require(container["securityContext"])
        #expect(security["runAsNonRoot"] == true)
        #expect(security["runAsUser"] == 65532)
        #expect(security["readOnlyRootFilesystem"] == true)
        #expect(security["allowPrivilegeEscalation"] == false)
        #expect(security["capabilities"]?["drop"] == ["ALL"])
        #expect(security["seccompProfile"]?["type"] == "RuntimeDefault")
        #expect(container["volumeMounts"]?[0]?["mountPath"] == "/etc/tend/rules")
        #expect(pod["volumes"]?[0]?["configMap"]?["name"] == "tend-rules")
    }

    func version() throws -> String {
        try RuleCommandsTests().tend(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
