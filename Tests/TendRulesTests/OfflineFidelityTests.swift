import Foundation
import Testing
import TendMeta
@testable import TendOffline
@testable import TendRules
import TendValue

/// The offline cluster does what the API server does where rules can tell: schema defaults, server
/// fields of new objects, objects released when they leave a rule's scope.
@Suite struct OfflineFidelityTests {
    static let widget = GroupVersionKind(apiVersion: "example.com/v1", kind: "Widget")!

    static let crd: Value = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced", "names": ["kind": "Widget", "plural": "widgets"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": [
                            "type": "object", "default": [:],
                            "properties": [
                                "replicas": ["type": "integer", "default": 2],
                                "size": ["type": "string", "default": "small"],
                                "image": ["type": "object", "default": [:], "properties": ["tag": ["type": "string", "default": "latest"]]],
                                "ports": ["type": "array", "items": ["type": "object", "properties": ["protocol": ["type": "string", "default": "TCP"]]]],
                                "labels": ["type": "object", "additionalProperties": ["type": "object", "properties": ["weight": ["type": "integer", "default": 1]]]],
                                "note": ["type": "string", "nullable": true, "default": "n"],
                            ],
                        ],
                    ],
                ]],
            ]],
        ],
    ]

    @Test func schemaDefaultsAreFilledInNestedAndThroughListsAndMaps() throws {
        var defaults = StructuralDefaults()
        defaults.register(crd: Self.crd)
        let object: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"],
                             "spec": ["replicas": 5, "ports": [["port": 80], ["port": 53, "protocol": "UDP"]], "labels": ["a": [:]], "note": .null]]
        let d = defaults.applied(to: object)
        #expect(d["spec"]?["replicas"] == 5, "a value given is kept")
        #expect(d["spec"]?["size"] == "small")
        #expect(d["spec"]?["image"] == ["tag": "latest"], "default: {} lets the defaults below apply")
        #expect(d["spec"]?["ports"] == [["port": 80, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]])
        #expect(d["spec"]?["labels"]?["a"] == ["weight": 1])
        #expect(d["spec"]?["note"] == .null, "an explicit null of a nullable field stays")
        let bare = defaults.applied(to: ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]])
        #expect(bare["spec"]?["replicas"] == 2 && bare["spec"]?["image"]?["tag"] == "latest", "spec itself defaults to {}")
        let other: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]]
        #expect(defaults.applied(to: other) == other)
    }

    @Test func aTemplateReadingADefaultWorksOfflineAsOnACluster() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: widgets}
            spec:
              watch: {apiVersion: example.com/v1, kind: Widget}
              children:
                - id: config
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}"}, data: {replicas: "${string(self.spec.replicas)}"}}
            """)
        // The CRD comes in the state after the object; the object is defaulted all the same.
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "t"]], Self.crd]), now: now)
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "w")?["data"] == ["replicas": "2"])
    }

    @Test func aRulesOwnSchemaDefaultsApplyWithoutACRDInTheState() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: widgets}
            spec:
              schema: {group: example.com, version: v1, kind: Widget, spec: {replicas: {type: integer, default: 3}}}
              watch: {apiVersion: example.com/v1, kind: Widget}
              children:
                - id: config
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}"}, data: {replicas: "${string(self.spec.replicas)}"}}
            """)
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "t"], "spec": [:]]]), now: now)
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "w")?["data"] == ["replicas": "3"])
    }

    @Test func newObjectsGetTheServersFields() throws {
        var cluster = OfflineCluster()
        cluster.now = now
        cluster.put(["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "t"], "spec": ["containers": [["name": "a", "image": "x"]]]])
        let pod = try #require(cluster.get(GroupVersionKind(apiVersion: "v1", kind: "Pod")!, namespace: "t", name: "p"))
        #expect(pod["metadata"]?["creationTimestamp"] == .string(RFC3339.format(now)))
        #expect(pod["status"]?["phase"] == "Pending")
        #expect(pod["metadata"]?["uid"] != nil && pod["metadata"]?["resourceVersion"] != nil)
    }

    @Test func anObjectLeavingTheRulesScopeIsReleasedOffline() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: scoped}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {managed: "yes"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}}
            """)
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "src", "namespace": "t", "labels": ["managed": "yes"]]]]), now: now)
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "src-copy") != nil)
        var source = try #require(run.cluster.get(configMapKind, namespace: "t", name: "src"))
        source["metadata"]?["labels"] = ["managed": "no"]
        run.cluster.world.put(source)
        run.converge()
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "src-copy") == nil, "released: its child is deleted, as tend run does")
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "src") != nil, "the object itself stays")
        #expect(run.converge() == 0, "nothing more to do")
    }

    @Test func aNamespacedObjectWithoutANamespaceGoesToDefault() throws {
        var cluster = OfflineCluster(objects: [Self.crd])
        cluster.put(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
        #expect(cluster.get(configMapKind, namespace: "default", name: "c") != nil, "as kubectl apply -f puts it")
        cluster.put(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "n"]])
        #expect(cluster.get(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!, namespace: "", name: "n") != nil)
        var clusterScoped = Self.crd
        clusterScoped["spec"]?["scope"] = "Cluster"
        cluster.learn(crd: clusterScoped)
        cluster.put(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]])
        #expect(cluster.get(Self.widget, namespace: "", name: "w") != nil, "a CRD's scope is learnt with it")
    }
}

