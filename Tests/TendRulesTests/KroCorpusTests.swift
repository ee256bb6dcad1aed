import Foundation
import Testing
@testable import TendOffline
@testable import TendRules
import TendKube
import TendMeta
import TendMeta
import TendValue
import TendYAML

/// kro's own examples (examples/kubernetes, copied under Fixtures/kro) through `tend import kro`:
/// each converts without manual edits, the rules compile as `tend check` compiles them, and the
/// offline engine (`tend plan --state`, run to convergence as `tend test` runs it) on the example's
/// own instance creates the objects kro would create; children that kro makes wait for a
/// dependency's `readyWhen` wait here too.
@Suite struct KroCorpusTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures/kro/"

    struct Example: CustomStringConvertible, Sendable {
        var name: String
        var rgds: [String]
        var instance: String
        /// "Kind namespace/name" (or "Kind name" when cluster-scoped) of every object the rules create.
        var created: [String]
        /// "rule/child" of children waiting for a dependency to be ready.
        var waiting: [String] = []
        var description: String { name }
    }

    static let examples: [Example] = [
        Example(name: "additionalPrinterColumns", rgds: ["additionalPrinterColumns/rg.yaml"], instance: "additionalPrinterColumns/instance.yaml",
                created: ["Deployment default/test-app", "Service default/test-app-service"]),
        Example(name: "defaults", rgds: ["defaults/rg.yaml"], instance: "defaults/instance.yaml", created: []),
        Example(name: "job-example", rgds: ["job-example/rgd.yaml"], instance: "job-example/instance.yaml",
                created: ["Deployment default/example-job-deployment", "Job default/example-job-deployment-job"]),
        Example(name: "webapp", rgds: ["webapp/rg.yaml"], instance: "webapp/instance.yaml",
                created: ["Deployment default/test-app"], waiting: ["webapp/ingress", "webapp/service"]),
        Example(name: "dogsvscats/result-app", rgds: ["dogsvscats/result-app/rg.yaml"], instance: "dogsvscats/result-app/instance.yaml",
                created: ["Deployment default/result-app-demo-result"], waiting: ["result-app/ingress", "result-app/service"]),
        Example(name: "dogsvscats/vote-app", rgds: ["dogsvscats/vote-app/rg.yaml"], instance: "dogsvscats/vote-app/instance.yaml",
                created: ["Deployment default/vote-app-demo-vote"], waiting: ["vote-app/ingress", "vote-app/service"]),
        Example(name: "dogsvscats/worker-app", rgds: ["dogsvscats/worker-app/rg.yaml"], instance: "dogsvscats/worker-app/instance.yaml",
                created: ["Deployment default/worker-app-demo-worker"]),
        Example(name: "saas-multi-tenant",
                rgds: ["saas-multi-tenant/tenant-rgd.yaml", "saas-multi-tenant/tenant-environment-rgd.yaml", "saas-multi-tenant/tenant-application-rgd.yaml"],
                instance: "saas-multi-tenant/tenant-instance.yaml",
                created: [
                    "Deployment tenant001/tenant001-deployment", "Namespace tenant001", "NetworkPolicy tenant001/tenant001-isolation",
                    "ResourceQuota tenant001/tenant001-quota", "Service tenant001/tenant001-service",
                    "TenantApplication default/tenant001", "TenantEnvironment default/tenant001",
                ]),
    ]

    static func read(_ path: String) throws -> String { try String(contentsOfFile: fixtures + path, encoding: .utf8) }

    /// The rules of an example's RGDs, each required to convert without manual edits and compile.
    static func rules(_ texts: [(file: String, text: String)]) throws -> [Rule] {
        var rules: [Rule] = []
        for (file, text) in texts {
            for c in try KroImport.convert(text: text, file: file) {
                #expect(!c.needsManualEdits, "\(file): \(c.findings)")
                let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(c.yaml, file: file))
                #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(file): \(diagnostics)")
                rules += rule.map { [$0] } ?? []
            }
        }
        return rules
    }

    /// Runs the rules on the instance offline until nothing changes; what they created, what waits.
    static func converge(_ rules: [Rule], instance: String, patches: [Value] = []) throws -> (created: [String], waiting: [String], run: OfflineRun) {
        let objects = try YAML.parseDocuments(instance, file: "instance.yaml", options: YAMLParseOptions(skipEmptyDocuments: true)).map(\.value)
        var run = OfflineRun(rules: rules, cluster: OfflineCluster(objects: objects), now: Date(timeIntervalSince1970: 1_800_000_000))
        run.converge()
        for patch in patches {
            run.cluster.patch(patch)
            run.converge()
        }
        #expect(run.problems.isEmpty, "\(run.problems.map { "\($0.object): \($0.problem)" })")
        #expect(run.cluster.failures.isEmpty, "\(run.cluster.failures)")
        let created = run.cluster.world.all.filter { $0["metadata"]?["labels"]?[Rule.ruleLabel] != nil }.map { o in
            let namespace = o["metadata"]?["namespace"]?.stringValue ?? ""
            return "\(o["kind"]?.stringValue ?? "") \(namespace.isEmpty ? "" : namespace + "/")\(o["metadata"]?["name"]?.stringValue ?? "")"
        }
        let waiting = run.plans().flatMap { plan in
            plan.problems.filter { $0.reason == "Waiting" }.compactMap { $0.child.map { "\(plan.rule)/\($0)" } }
        }
        return (created.sorted(), waiting.sorted(), run)
    }

    @Test(arguments: examples)
    func exampleConvertsAndPlansWhatKroWouldCreate(_ example: Example) throws {
        let rules = try Self.rules(try example.rgds.map { ($0, try Self.read($0)) })
        #expect(rules.count == example.rgds.count)
        let (created, waiting, _) = try Self.converge(rules, instance: try Self.read(example.instance))
        #expect(created == example.created.sorted())
        #expect(waiting == example.waiting)
    }

    @Test func atLeastTenOfTwelveConvertWithoutEdits() throws {
        #expect(Self.examples.flatMap(\.rgds).count >= 10)
    }

    /// Once the Deployment is ready (kro's readyWhen), the Service and the Ingress follow.
    @Test func webappDependentsFollowReadiness() throws {
        let rules = try Self.rules([("webapp/rg.yaml", try Self.read("webapp/rg.yaml"))])
        let ready: Value = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "test-app", "namespace": "default"], "status": ["availableReplicas": 1]]
        let (created, waiting, run) = try Self.converge(rules, instance: try Self.read("webapp/instance.yaml"), patches: [ready])
        #expect(created == ["Deployment default/test-app", "Ingress default/test-app", "Service default/test-app"])
        #expect(waiting.isEmpty)
        let app = run.cluster.get(GroupVersionKind(apiVersion: "kro.run/v1alpha1", kind: "WebApp")!, namespace: "default", name: "test-app")
        #expect(app?["status"]?["state"] == "ACTIVE")
        #expect(app?["status"]?["availableReplicas"] == 1)
    }

    /// The schema's defaults apply to the instance as kro's CRD would apply them.
    @Test func defaultsExampleDefaultsTheInstance() throws {
        let rules = try Self.rules([("defaults/rg.yaml", try Self.read("defaults/rg.yaml"))])
        let (_, _, run) = try Self.converge(rules, instance: try Self.read("defaults/instance.yaml"))
        let spec = run.cluster.get(GroupVersionKind(apiVersion: "kro.run/v1alpha1", kind: "Something")!, namespace: "default", name: "my-instance-will-cel-functions")?["spec"]
        #expect(spec?["elements"] == ["a", "b", "c", "d"])
        #expect(spec?["number"] == 100)
        #expect(spec?["enabled"] == true)
        #expect(spec?["config"]?["field2"] == 200)
    }

    /// cel-functions uses kro's `random.seededString`, which Tend lacks: reported at its path. Its
    /// `hash.fnv64a` and `hash.sha256` (kro's hash library) convert.
    @Test func celFunctionsNeedsAManualEditForOneFunction() throws {
        let c = try #require(try KroImport.convert(text: try Self.read("cel-functions/rg.yaml"), file: "rg.yaml").first)
        let manual = c.findings.filter { $0.severity == .manual }
        #expect(manual.map(\.path) == ["spec.resources[0].template.spec.template.spec.containers[0].env[3].value"])
        #expect(manual.map(\.message) == ["tend check: undeclared reference to function 'random.seededString'"])
    }

    /// core-dns repeats a key (`selector`), which Tend's YAML reader refuses; without the repeat it
    /// converts and plans kro's six objects.
    @Test func coreDNSRepeatsAKey() throws {
        let text = try Self.read("core-dns/core-dns.yaml")
        #expect(throws: KroImport.ImportError.self) { try KroImport.convert(text: text, file: "core-dns.yaml") }
        let repeated = "        selector:\n         k8s-app: kube-dns\n"
        #expect(text.components(separatedBy: repeated).count == 2)
        let rules = try Self.rules([("core-dns.yaml", text.replacingOccurrences(of: repeated, with: ""))])
        let (created, waiting, _) = try Self.converge(rules, instance: try Self.read("core-dns/coredns-instance.yaml"))
        #expect(created == [
            "ClusterRole mynameis", "ClusterRoleBinding mynameis", "ConfigMap default/mynameis", "Deployment default/mynameis",
            "Service default/mynameis", "ServiceAccount default/mynameis",
        ])
        #expect(waiting.isEmpty)
    }
}
