import Foundation
import Testing
import TendMeta
@testable import TendOffline
@testable import TendRules
import TendValue

/// What the offline cluster does with Tend's writes and a test's patches, where the differential
/// tests (Tests/TendEngineTests/DifferentialClusterTests) found it disagreeing with the API server.
@Suite struct OfflineWritesTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// `binaryData: ${has(self.binaryData) ? self.binaryData : null}` (rules/replicate): the API
    /// server stores no field for the null, on an update as on a create; offline an update kept
    /// `binaryData: null`.
    @Test func aNullInAnUpdatedChildLeavesTheFieldOut() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: copy}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {copy: "yes"}}}
              children:
                - id: copy
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "${self.metadata.name}-copy"}
                    data: "${has(self.data) ? self.data : null}"
                    binaryData: "${has(self.binaryData) ? self.binaryData : null}"
            """)
        let source: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "s", "namespace": "t", "labels": ["copy": "yes"]], "data": ["a": "1"]]
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [source]), now: Date())
        run.converge()
        #expect(run.cluster.get(Self.configMap, namespace: "t", name: "s-copy")?["binaryData"] == nil, "created without it")
        var changed = source
        changed["data"] = ["a": "2"]
        run.cluster.put(changed)
        run.converge()
        let copy = try #require(run.cluster.get(Self.configMap, namespace: "t", name: "s-copy"))
        #expect(copy["data"] == ["a": "2"])
        #expect(copy.objectValue?.keys.contains("binaryData") == false, "updated without a null: \(copy)")
    }
}

extension OfflineWritesTests {
    /// A step's `patch` of the spec moves `generation` (and so `observedGeneration` in the status
    /// Tend writes) as the API server does; offline it stayed at 1.
    @Test func aPatchOfTheSpecMovesTheGeneration() throws {
        let kind = GroupVersionKind(apiVersion: "example.com/v1", kind: "Widget")!
        var cluster = OfflineCluster(objects: [["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "t"], "spec": ["size": 1]]])
        let before = try #require(cluster.get(kind, namespace: "t", name: "w"))
        cluster.patch(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "t", "labels": ["a": "b"]]])
        let labelled = try #require(cluster.get(kind, namespace: "t", name: "w"))
        #expect(labelled["metadata"]?["generation"] == 1, "metadata is not the spec")
        #expect(labelled["metadata"]?["labels"] == ["a": "b"])
        #expect(labelled["metadata"]?["resourceVersion"] != before["metadata"]?["resourceVersion"])
        cluster.patch(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "t"], "spec": ["size": 2]])
        let resized = try #require(cluster.get(kind, namespace: "t", name: "w"))
        #expect(resized["metadata"]?["generation"] == 2)
        #expect(resized["spec"] == ["size": 2])
        cluster.patch(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "missing", "namespace": "t"], "spec": ["size": 2]])
        #expect(cluster.get(kind, namespace: "t", name: "missing") == nil, "a patch creates nothing")
    }
}

extension OfflineWritesTests {
    /// A status write is a server-side apply by the rule's status manager: a field the previous
    /// write set and this one does not is released. Here the Ready condition written for a template
    /// error (the template reads `self.status`, absent at first) goes with the next status write;
    /// offline it stayed for good (examples/meet ladder and blue-green).
    @Test func aStatusWriteReleasesWhatTheRuleNoLongerWrites() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: ladder}
            spec:
              watch: {apiVersion: example.com/v1, kind: Ladder}
              children:
                - id: board
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "${self.metadata.name}-board"}
                    data: {phase: "${has(self.status.phase) ? self.status.phase : 'none'}"}
              status:
                phase:
                  initial: One
                  transitions:
                    - {from: [One], to: Two, when: "${true}", for: 3s}
            """)
        let kind = GroupVersionKind(apiVersion: "example.com/v1", kind: "Ladder")!
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [["apiVersion": "example.com/v1", "kind": "Ladder", "metadata": ["name": "l", "namespace": "t"]]]), now: start)
        run.converge()
        let first = try #require(run.cluster.get(kind, namespace: "t", name: "l"))
        #expect(first["status"]?["conditions"]?[0]?["reason"] == "TemplateError", "the first reconcile cannot read self.status")
        run.now = start + 3
        run.converge()
        let after = try #require(run.cluster.get(kind, namespace: "t", name: "l"))
        #expect(after["status"]?["phase"] == "Two")
        #expect(after["status"]?["conditions"] == nil, "released by the next status write: \(after["status"] ?? .null)")
        #expect(run.cluster.get(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: "t", name: "l-board")?["data"]?["phase"] == "Two")
    }
}
