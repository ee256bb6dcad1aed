import Foundation
import Testing
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// A status value whose expression reads something not there yet is left out, not a failure (as
/// kro leaves it unset): a status field, a condition's status (Unknown), reason or message. The
/// plan names what was left out, and `tend explain` shows it. Real errors still fail.
@Suite struct AbsentValueTests {
    static let ruleText = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: apps}
        spec:
          schema: {group: example.com, version: v1, kind: App, spec: {image: {type: string}}}
          watch: {apiVersion: example.com/v1, kind: App}
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
              available: ${deployment.status.availableReplicas}
              firstCondition: ${deployment.status.conditions[0].type}
              broken: ${1 / (size(self.spec.image) - size(self.spec.image))}
            conditions:
              - type: Available
                status: ${deployment.status.availableReplicas >= 1}
                message: "${'available: ' + string(deployment.status.availableReplicas)}"
        """

    static let app: Value = ["apiVersion": "example.com/v1", "kind": "App", "metadata": ["name": "a", "namespace": "t"], "spec": ["image": "nginx"]]

    static func plan(deploymentStatus: Value?) throws -> ReconcilePlan {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(ruleText, file: "apps.yaml"))
        let compiled = try #require(rule, "\(diagnostics)")
        var run = OfflineRun(rules: [compiled], cluster: OfflineCluster(objects: [app]), now: Date(timeIntervalSince1970: 1_767_225_600))
        run.converge()
        let kind = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
        var deployment = try #require(run.cluster.get(kind, namespace: "t", name: "a"))
        deployment["status"] = deploymentStatus
        run.cluster.world.put(deployment)
        return try #require(run.plans().first)
    }

    @Test func valuesNotThereYetAreLeftOutAndNamed() throws {
        let plan = try Self.plan(deploymentStatus: ["replicas": 1, "unavailableReplicas": 1])
        #expect(plan.status?["available"] == nil)
        #expect(plan.status?["firstCondition"] == nil)
        let available = plan.status?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
        #expect(available?["status"] == "Unknown")
        #expect(available?["message"] == nil)
        #expect(plan.leftOut.contains(#"status.available: no such key: "availableReplicas""#), "\(plan.leftOut)")
        #expect(plan.leftOut.contains { $0.hasPrefix("status.firstCondition: ") }, "\(plan.leftOut)")
        #expect(plan.leftOut.contains { $0.hasPrefix("condition Available status (Unknown): ") }, "\(plan.leftOut)")
        // Division by zero is not an absent value: still a problem.
        #expect(plan.problems.map(\.message).contains { $0.contains("status field broken") && $0.contains("division by zero") }, "\(plan.problems)")
        #expect(!plan.problems.map(\.message).contains { $0.contains("available") }, "\(plan.problems)")
    }

    @Test func theyAreWrittenOnceThere() throws {
        let plan = try Self.plan(deploymentStatus: ["replicas": 1, "availableReplicas": 1, "conditions": [["type": "Available", "status": "True"]]])
        #expect(plan.status?["available"] == 1)
        #expect(plan.status?["firstCondition"] == "Available")
        let available = plan.status?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
        #expect(available?["status"] == "True")
        #expect(available?["message"] == "available: 1")
        #expect(plan.leftOut.isEmpty, "\(plan.leftOut)")
    }

    @Test func explainShowsWhatWasLeftOut() throws {
        let plan = try Self.plan(deploymentStatus: ["replicas": 1])
        let text = ExplainRenderer(color: false).renderPlan(plan)
        #expect(text.contains("  left out (reads a value not there yet):\n    condition Available status (Unknown): no such key: \"availableReplicas\"\n"), "\(text)")
        #expect(text.contains("\n    status.available: no such key: \"availableReplicas\"\n"), "\(text)")
    }
}
