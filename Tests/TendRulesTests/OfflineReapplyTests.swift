import Foundation
import Testing
import TendMeta
@testable import TendOffline
@testable import TendRules
import TendValue

/// Re-applying an object in a `tend test` step (or an offline state) keeps it the same object, as the
/// API server does; before, it got a new uid and its children looked like someone else's.
@Suite struct OfflineReapplyTests {
    static let kind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    @Test func aReappliedObjectKeepsItsIdentityAndWhatOthersAdded() throws {
        var cluster = OfflineCluster(objects: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "t", "labels": ["team": "x"]], "data": ["k": "1"]]])
        var live = try #require(cluster.get(Self.kind, namespace: "t", name: "a"))
        let uid = live["metadata"]?["uid"]
        // What a controller would have added: a finalizer, an annotation, a status.
        try live.set(FieldPath([.key("metadata"), .key("finalizers")]), to: ["tend.dev/cleanup"])
        try live.set(FieldPath([.key("metadata"), .key("annotations")]), to: ["tend.dev/inventory": "ConfigMap.v1"])
        try live.set(FieldPath([.key("status")]), to: ["phase": "Ready"])
        cluster.world.put(live)

        cluster.put(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "t", "labels": ["team": "y", "tier": "web"]], "data": ["k": "2"]])
        let after = try #require(cluster.get(Self.kind, namespace: "t", name: "a"))
        #expect(after["metadata"]?["uid"] == uid, "same object")
        #expect(after["metadata"]?["finalizers"] == ["tend.dev/cleanup"])
        #expect(after["metadata"]?["annotations"]?["tend.dev/inventory"] == "ConfigMap.v1")
        #expect(after["metadata"]?["labels"] == ["team": "y", "tier": "web"], "the applied labels win, none lost")
        #expect(after["status"] == ["phase": "Ready"])
        #expect(after["data"] == ["k": "2"])
        #expect(after["metadata"]?["resourceVersion"] != live["metadata"]?["resourceVersion"])
    }

    @Test func generationMovesOnlyWhenTheSpecChanges() throws {
        let webapp = GroupVersionKind(apiVersion: "example.com/v1", kind: "WebApp")!
        let object: Value = ["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "w", "namespace": "t"], "spec": ["replicas": 1]]
        var cluster = OfflineCluster(objects: [object])
        cluster.put(object)
        #expect(cluster.get(webapp, namespace: "t", name: "w")?["metadata"]?["generation"] == 1)
        cluster.put(["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "w", "namespace": "t"], "spec": ["replicas": 2]])
        #expect(cluster.get(webapp, namespace: "t", name: "w")?["metadata"]?["generation"] == 2)
    }

    @Test func aTestStepThatReappliesTheParentUpdatesItsChildren() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-reapply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: copy}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {copy: "yes"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: "${self.data}"}
            """.write(to: dir.appendingPathComponent("rule.yaml"), atomically: true, encoding: .utf8)
        let testFile = dir.appendingPathComponent("rule.test.yaml").path
        try """
            apiVersion: tend.dev/v1alpha1
            kind: RuleTest
            metadata: {name: reapply}
            spec:
              rules: [rule.yaml]
              steps:
                - name: first apply
                  apply: [{apiVersion: v1, kind: ConfigMap, metadata: {name: src, namespace: t, labels: {copy: "yes"}}, data: {v: "1"}}]
                  expect: {present: [{apiVersion: v1, kind: ConfigMap, metadata: {name: src-copy, namespace: t}, data: {v: "1"}}]}
                - name: the same object applied again, changed
                  apply: [{apiVersion: v1, kind: ConfigMap, metadata: {name: src, namespace: t, labels: {copy: "yes"}}, data: {v: "2"}}]
                  expect: {present: [{apiVersion: v1, kind: ConfigMap, metadata: {name: src-copy, namespace: t}, data: {v: "2"}}]}
            """.write(toFile: testFile, atomically: true, encoding: .utf8)
        let (tests, diagnostics) = RuleTest.load(file: testFile)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let rules = RuleLoader().load(paths: [dir.appendingPathComponent("rule.yaml").path]).rules
        let results = try #require(tests.first).run(rules: rules)
        #expect(results.map(\.passed) == [true, true], "\(results.flatMap(\.failures))")
    }
}
