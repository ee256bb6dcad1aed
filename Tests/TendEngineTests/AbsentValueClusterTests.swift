import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// On the real control plane, a status that reads a Deployment's `availableReplicas` before any
/// replica is available (no kubelet here, so never) is written without it: the condition is Unknown,
/// the field is absent, and no StatusError Warning is recorded, retry after retry.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "apps.absent.tend-test.dev"), .awaitsCleanup)
struct AbsentValueClusterTests {
    static let kind = GroupVersionKind(apiVersion: "absent.tend-test.dev/v1", kind: "App")!
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
        let rule = try EngineFixture.rule(Self.ruleText, file: "absent.yaml")
        let f = try await EngineFixture(prefix: "absent")
        try await f.installCRD(rule)
        let resource = try await f.resource(Self.kind)
        _ = f.start([rule])

        _ = try await resource.create(["apiVersion": "absent.tend-test.dev/v1", "kind": "App", "metadata": ["name": "a"], "spec": ["image": "nginx"]])
        // No replica ever becomes available here (no kubelet): availableReplicas stays absent.
        await poll(until: "status written", timeout: .seconds(30)) { (try? await resource.get("a"))?["status"]?["conditions"] != nil }
        try await Task.sleep(for: .seconds(3))
        let status = try #require(try await resource.get("a")["status"])
        #expect(status["available"] == nil)
        let conditions = status["conditions"]?.arrayValue ?? []
        #expect(conditions.first { $0["type"] == "Available" }?["status"] == "Unknown", "\(conditions)")
        #expect(conditions.first { $0["type"] == "Ready" }?["status"] != "False", "\(conditions)")
        let warnings = try await f.events().filter { $0["type"] == "Warning" }
        #expect(warnings.isEmpty, "\(warnings.map { "\($0["reason"] ?? .null): \($0["message"] ?? .null)" })")
    }
}
