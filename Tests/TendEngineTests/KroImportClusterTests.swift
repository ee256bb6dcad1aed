import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendRules
import TendTesting
import TendMeta
import TendMeta
import TendValue
import TendYAML

/// `tend import kro` on the real control plane: kro's webapp example converted as is (only its
/// API group changed, so it cannot meet another test's kind), its CRD installed as `tend crds`
/// prints it, and the engine creating what kro would: the Deployment first, the Service and the
/// Ingress once the Deployment is ready (kro's readyWhen), and the instance's status.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "webapps.kroimport.tend.dev"), .awaitsCleanup)
struct KroImportClusterTests {
    static let group = "kroimport.tend.dev"
    static let webapp = GroupVersionKind(apiVersion: "\(group)/v1alpha1", kind: "WebApp")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let service = GroupVersionKind(apiVersion: "v1", kind: "Service")!
    static let ingress = GroupVersionKind(apiVersion: "networking.k8s.io/v1", kind: "Ingress")!

    static func fixture(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Tests/TendRulesTests/Fixtures/kro/" + path), encoding: .utf8)
    }

    func get(_ client: KubeClient, _ kind: GroupVersionKind, _ ns: String, _ name: String) async -> Value? {
        try? await client.resource(kind, namespace: ns).get(name)
    }

    @Test func convertedWebappCreatesWhatKroWould() async throws {
        let cluster = try LocalCluster.require()
        var text = try Self.fixture("webapp/rg.yaml")
        let kindLine = "    apiVersion: v1alpha1\n    kind: WebApp\n"
        #expect(text.contains(kindLine))
        text = text.replacingOccurrences(of: kindLine, with: kindLine + "    group: \(Self.group)\n")
        let conversion = try #require(try KroImport.convert(text: text, file: "rg.yaml").first)
        #expect(!conversion.needsManualEdits, "\(conversion.findings)")
        let (compiled, diagnostics) = RuleCompiler.compile(try YAML.parse(conversion.yaml, file: "webapp.yaml"))
        let rule = try #require(compiled, "\(diagnostics)")

        let client = KubeClient(configuration: cluster.configuration)
        let crds = try await client.resource(Self.crdKind)
        let crdName = "webapps.\(Self.group)"
        if (try? await crds.get(crdName)) != nil {
            _ = try? await crds.delete(crdName)
            await poll(until: "old CRD gone") { (try? await crds.get(crdName)) == nil }
        }
        _ = try await crds.create(try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name)))
        AwaitedCleanup.add { _ = try? await crds.delete(crdName) }
        await poll(until: "CRD established") {
            (try? await crds.get(crdName))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let ns = "kro-import-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        AwaitedCleanup.add { _ = try? await namespaces.delete(ns) }

        var logger = Logger(label: "kro-import-test")
        logger.logLevel = .warning
        let engine = Engine(rules: [rule], client: client, options: { var o = EngineOptions(); o.namespace = ns; return o }(), logger: logger)
        let running = Task { try await engine.run() }
        defer { running.cancel() }

        // kro's instance.yaml, deploying into the test's namespace instead of `default`.
        var instance = try YAML.parse(try Self.fixture("webapp/instance.yaml"), file: "instance.yaml").value
        instance["apiVersion"] = .string("\(Self.group)/v1alpha1")
        instance["spec"]?["namespace"] = .string(ns)
        await poll(until: "WebApp served") { (try? await client.resource(Self.webapp, namespace: ns)) != nil }
        let webapps = try await client.resource(Self.webapp, namespace: ns)
        _ = try await webapps.create(instance)

        await poll(until: "Deployment created") { await self.get(client, Self.deployment, ns, "test-app") != nil }
        let deployment = try #require(await get(client, Self.deployment, ns, "test-app"))
        #expect(deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"] == 80)
        #expect(deployment["metadata"]?["ownerReferences"]?[0]?["kind"] == "WebApp")
        // The Service and the Ingress read the Deployment, whose readyWhen does not hold yet.
        try await Task.sleep(for: .seconds(2))
        #expect(await get(client, Self.service, ns, "test-app") == nil)
        #expect(await get(client, Self.webapp, ns, "test-app")?["status"]?["state"] == "IN_PROGRESS")

        // No kubelet here: the Deployment is made available by hand.
        _ = try await client.resource(Self.deployment, namespace: ns).patchStatus("test-app", .merge(["status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1]]))
        await poll(until: "Service and Ingress created, instance ACTIVE") {
            let s = await self.get(client, Self.service, ns, "test-app")
            let i = await self.get(client, Self.ingress, ns, "test-app")
            let status = await self.get(client, Self.webapp, ns, "test-app")?["status"]
            return s != nil && i != nil && status?["state"] == "ACTIVE" && status?["availableReplicas"] == 1
        }
        let service = try #require(await get(client, Self.service, ns, "test-app"))
        #expect(service["spec"]?["ports"]?[0]?["targetPort"] == 80)
        #expect(await get(client, Self.ingress, ns, "test-app")?["spec"]?["rules"]?[0]?["http"]?["paths"]?[0]?["backend"]?["service"]?["name"] == "test-app")

        _ = try await webapps.delete("test-app")
        await poll(until: "children garbage-collected", timeout: .seconds(60)) { await self.get(client, Self.deployment, ns, "test-app") == nil }
        running.cancel()
        await client.shutdown()
    }
}
