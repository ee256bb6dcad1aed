import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// `updatePolicy: recreate` on the real control plane: a Job's pod template cannot change (the API
/// server refuses the update: `field is immutable`); the child is deleted and created again from
/// the new template, where `apply` would leave the refusal in the Ready condition for good. The
/// planner knows the template is immutable, so `recreate` replaces the Job without first sending
/// an update the server refuses. `replace` replaces a child on any change.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct RecreateClusterTests {
    static func rule(policy: String) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: recreate-\(policy.lowercased())}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {recreate-test: \(policy.lowercased())}}}
          children:
            - id: job
              updatePolicy: \(policy)
              template:
                apiVersion: batch/v1
                kind: Job
                metadata: {name: "${self.metadata.name}-job"}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: run, image: "${self.data.image}", command: [sh, -c, "true"]}]
        """
    }

    @Test(arguments: ["recreate", "replace", "apply"])
    func anImmutableUpdate(policy: String) async throws {
        let rule = try EngineFixture.rule(Self.rule(policy: policy), file: "recreate.yaml")
        let f = try await EngineFixture(prefix: "recreate")
        let (client, ns) = (f.client, f.namespace)
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        let jobs = try await client.resource(GroupVersionKind(apiVersion: "batch/v1", kind: "Job")!, namespace: ns)
        _ = f.start([rule])

        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["recreate-test": .string(policy)]], "data": ["image": "busybox:1"]])
        await poll(until: "job created", timeout: .seconds(20)) { (try? await jobs.get("p-job")) != nil }
        let first = try await jobs.get("p-job")
        let firstUID = try #require(first["metadata"]?["uid"]?.stringValue)

        _ = try await configMaps.patch("p", .merge(["data": ["image": "busybox:2"]]))
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns)
        if policy != "apply" {
            await poll(until: "job recreated from the new template", timeout: .seconds(30)) {
                guard let job = try? await jobs.get("p-job") else { return false }
                return job["metadata"]?["uid"]?.stringValue != firstUID
                    && job["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "busybox:2"
            }
            // Replaced as planned: no update was sent for the server to refuse.
            let refusals = try await events.list(ListOptions()).items.filter { $0["reason"] == "Invalid" }
            #expect(refusals.isEmpty, "\(refusals)")
        } else {
            // apply: the refusal is reported and stays; the Job is the old one.
            await poll(until: "the refusal reported", timeout: .seconds(30)) {
                (try? await events.list(ListOptions()))?.items.contains { $0["type"] == "Warning" && $0["reason"] == "Invalid" && ($0["message"]?.stringValue ?? "").contains("Job.batch \"p-job\" is invalid") } == true
            }
            #expect(try await jobs.get("p-job")["metadata"]?["uid"]?.stringValue == firstUID)
        }
    }

    /// `replace` on a change the API server would take: the ConfigMap is still deleted and created.
    @Test func replaceRecreatesOnAnyChange() async throws {
        let rule = try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: replace-any}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {replace-test: "yes"}}}
              children:
                - id: copy
                  updatePolicy: replace
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "${self.metadata.name}-copy"}
                    data: {value: "${self.data.value}"}
            """, file: "replace.yaml")
        let f = try await EngineFixture(prefix: "replace")
        let configMaps = try await f.client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: f.namespace)
        _ = f.start([rule])

        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["replace-test": "yes"]], "data": ["value": "1"]])
        await poll(until: "copy created", timeout: .seconds(20)) { (try? await configMaps.get("p-copy")) != nil }
        let firstUID = try await configMaps.get("p-copy")["metadata"]?["uid"]?.stringValue
        _ = try await configMaps.patch("p", .merge(["data": ["value": "2"]]))
        await poll(until: "copy replaced", timeout: .seconds(30)) {
            guard let copy = try? await configMaps.get("p-copy") else { return false }
            return copy["metadata"]?["uid"]?.stringValue != firstUID && copy["data"]?["value"] == "2"
        }
        // Settled: the new copy is kept (not replaced again and again).
        let settled = try await configMaps.get("p-copy")["metadata"]?["uid"]?.stringValue
        try await Task.sleep(for: .seconds(3))
        #expect(try await configMaps.get("p-copy")["metadata"]?["uid"]?.stringValue == settled)
    }
}
