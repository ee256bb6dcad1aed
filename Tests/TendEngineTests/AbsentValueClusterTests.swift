import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue
import TendYAML

/// On the real control plane, a status that reads a Deployment's `availableReplicas` before any
/// replica is available (no kubelet here, so never) is written without it: the condition is Unknown,
/// the field is absent, and no StatusError Warning is recorded, retry after retry.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "apps.absent.tend-test.dev"))
struct AbsentValueClusterTests {
    static let kind = GroupVersionKind(apiVersion: "absent.tend-test.dev/v1", kind: "App")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!
    static let ruleText = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: absent-apps}
        spec:
          schema: {group: absent.tend-test.dev, version: v1, kind: App, spec: {image: {type: string}}}
          watch: {apiVersion: absent.tend-test.dev/v1, kind: App}
          children:
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${self.metadata.name}"}
                spec:
                  selector: {matchLabels: {app: "${self.metadata.name}"}}
                  template:
                    metadata: {labels: {app: "${self.metadata.name}"}}
                    spec: {containers: [{name: app, image: "${self.spec.image}"}]}
          status:
            fields:
              replicas: ${deployment.status.replicas}
              available: ${deployment.status.availableReplicas}
            conditions:
              - type: Available
                status: ${deployment.status.availableReplicas >= 1}
        """

    @Test func aValueNotThereYetIsLeftOutWithoutWarnings() async throws {
        let cluster = try LocalCluster.require()
        let (loaded, diagnostics) = RuleCompiler.compile(try YAML.parse(Self.ruleText, file: "absent.yaml"))
        let rule = try #require(loaded, "\(diagnostics)")
        var logger = Logger(label: "absent-value-test")
        logger.logLevel = .warning
        let client = KubeClient(configuration: cluster.configuration)
        let crds = try await client.resource(Self.crdKind)
        _ = try await crds.apply(try #require(rule.schema).customResourceDefinition(phasePath: nil, statusFields: rule.status.fields.map(\.name)), fieldManager: "tend-test", force: true)
        await poll(until: "CRD established") {
            (try? await crds.get("apps.absent.tend-test.dev"))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let ns = "absent-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        var apps: ResourceClient?
        await poll(until: "App served") {
            apps = try? await client.resource(Self.kind, namespace: ns)
            return apps != nil
        }
        let resource = try #require(apps)
        var options = EngineOptions()
        options.namespace = ns
        let engine = Engine(rules: [rule], client: client, options: options, logger: logger)
        let running = Task { try await engine.run() }

        _ = try await resource.create(["apiVersion": "absent.tend-test.dev/v1", "kind": "App", "metadata": ["name": "a"], "spec": ["image": "nginx"]])
        // No replica ever becomes available here (no kubelet): availableReplicas stays absent.
        await poll(until: "status written", timeout: .seconds(30)) { (try? await resource.get("a"))?["status"]?["conditions"] != nil }
        try await Task.sleep(for: .seconds(3))
        let status = try #require(try await resource.get("a")["status"])
        #expect(status["available"] == nil)
        let conditions = status["conditions"]?.arrayValue ?? []
        #expect(conditions.first { $0["type"] == "Available" }?["status"] == "Unknown", "\(conditions)")
        #expect(conditions.first { $0["type"] == "Ready" }?["status"] != "False", "\(conditions)")
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns).list(ListOptions())
        let warnings = events.items.filter { $0["type"] == "Warning" }
        #expect(warnings.isEmpty, "\(warnings.map { "\($0["reason"] ?? .null): \($0["message"] ?? .null)" })")

        running.cancel()
        _ = try? await running.value
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }
}
