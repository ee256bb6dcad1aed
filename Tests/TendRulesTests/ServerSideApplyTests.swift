import Foundation
import Testing
import TendMeta
@testable import TendRules
import TendValue

/// ``ListTypes`` (generated from a real API server's OpenAPI) and the offline ``ServerSideApply``.
@Suite struct ServerSideApplyTests {
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let service = GroupVersionKind(apiVersion: "v1", kind: "Service")!

    @Test func builtInListTypesComeFromTheAPIServersSchema() {
        let types = ListTypes.builtin
        #expect(types.listType(Self.deployment, at: ["spec", "template", "spec", "containers"]) == .map(keys: ["name"]))
        #expect(types.listType(Self.deployment, at: ["spec", "template", "spec", "containers", "ports"]) == .map(keys: ["containerPort", "protocol"]))
        #expect(types.listType(Self.service, at: ["spec", "ports"]) == .map(keys: ["port", "protocol"]))
        #expect(types.listType(Self.deployment, at: ["metadata", "finalizers"]) == .set)
        #expect(types.listType(Self.deployment, at: ["spec", "template", "spec", "containers", "args"]) == .atomic)
        let custom = GroupVersionKind(apiVersion: "example.com/v1", kind: "Widget")!
        #expect(types.listType(custom, at: ["metadata", "finalizers"]) == .set, "ObjectMeta is the same for custom kinds")
        var learnt = types
        learnt.register(crd: ["spec": ["group": "example.com", "names": ["kind": "Widget"], "versions": [["name": "v1", "schema": ["openAPIV3Schema": [
            "type": "object", "properties": ["spec": ["type": "object", "properties": [
                "hosts": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": ["type": "object"]],
                "tags": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
            ]]],
        ]]]]]])
        #expect(learnt.listType(custom, at: ["spec", "hosts"]) == .map(keys: ["name"]))
        #expect(learnt.listType(custom, at: ["spec", "tags"]) == .set)
    }

    static let live: Value = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:1"], ["name": "sidecar", "image": "proxy:1"]]]]]]

    @Test func aListMapIsMergedItemByItem() throws {
        let ssa = ServerSideApply(listTypes: .builtin, kind: Self.deployment)
        let pin: Value = ["spec": ["template": ["spec": ["containers": [["name": "sidecar", "image": "proxy:2"]]]]]]
        let result = try ssa.apply(pin, to: Self.live, previous: nil, others: [Self.live])
        #expect(result["spec"]?["template"]?["spec"]?["containers"] == [["name": "app", "image": "web:1"], ["name": "sidecar", "image": "proxy:2"]])
    }

    @Test func whatAManagerNoLongerAppliesIsReleasedUnlessAnotherSetsIt() throws {
        let kind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
        let ssa = ServerSideApply(listTypes: .builtin, kind: kind)
        let before: Value = ["data": ["a": "1", "b": "2", "c": "3"]]
        let result = try ssa.apply(["data": ["a": "1"]], to: before, previous: ["data": ["a": "1", "b": "2", "c": "3"]], others: [["data": ["c": "3"]]])
        #expect(result["data"] == ["a": "1", "c": "3"], "b released; c kept, another manager sets it")
        // Items of a list map are released the same way.
        let deployment = ServerSideApply(listTypes: .builtin, kind: Self.deployment)
        let mine: Value = ["spec": ["template": ["spec": ["containers": [["name": "sidecar", "image": "proxy:1"]]]]]]
        let dropped = try deployment.apply(["spec": ["template": ["spec": ["containers": []]]]], to: Self.live, previous: mine, others: [])
        #expect(dropped["spec"]?["template"]?["spec"]?["containers"] == [["name": "app", "image": "web:1"]])
    }

    @Test func anItemWithoutAKeyFieldIsRefusedAsTheServerRefusesIt() {
        let ssa = ServerSideApply(listTypes: .builtin, kind: Self.service)
        #expect(throws: ServerSideApply.Invalid(path: "spec.ports[0]", message: "associative list with keys has an element that omits key field \"port\"")) {
            try ssa.apply(["spec": ["ports": [["targetPort": 8080, "protocol": "TCP"]]]], to: nil, previous: nil, others: [])
        }
    }

    @Test func aPortWithoutProtocolGetsTCPAsTheServerWouldGiveIt() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: expose}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              children:
                - id: service
                  template: {apiVersion: v1, kind: Service, metadata: {name: "${self.metadata.name}"}, spec: {selector: {app: x}, ports: [{port: 80}, {port: 53, protocol: UDP}]}}
            """)
        let parent: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web", "namespace": "t", "uid": "u"]]
        let plan = Planner(rule: rule).plan(parent: parent, world: InMemoryWorld(), now: now)
        #expect(plan.children.first?.desired["spec"]?["ports"] == [["port": 80, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]])
    }

    @Test func offlineARulePatchingOneContainerKeepsTheOthers() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: pin}
            spec:
              watch: {apiVersion: apps/v1, kind: Deployment}
              patch:
                spec: {template: {spec: {containers: [{name: sidecar, image: "proxy:2"}]}}}
            """)
        var object = Self.live
        object["apiVersion"] = "apps/v1"
        object["kind"] = "Deployment"
        object["metadata"] = ["name": "web", "namespace": "t"]
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [object]), now: now)
        run.converge()
        let images = (run.cluster.get(Self.deployment, namespace: "t", name: "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        #expect(images == ["web:1", "proxy:2"])
    }

    @Test func offlineARefusedWriteFailsTheTestStepWithTheServersMessage() throws {
        let dir = NSTemporaryDirectory() + "ssa-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: broken}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              children:
                - id: service
                  template: {apiVersion: v1, kind: Service, metadata: {name: "${self.metadata.name}"}, spec: {ports: [{targetPort: 80}]}}
            """.write(toFile: dir + "/rule.yaml", atomically: true, encoding: .utf8)
        let rule = try #require(RuleLoader().load(paths: [dir + "/rule.yaml"]).rules.first)
        let test = RuleTest(name: "t", file: dir + "/t.test.yaml", rulePaths: [], steps: [
            .init(name: "apply", apply: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web", "namespace": "t"]]]),
        ])
        let results = test.run(rules: [rule], now: now)
        #expect(results.first?.failures == [#"the API server would refuse: rule broken: apply Service.v1 t/web: Service "web" is invalid: spec.ports[0]: associative list with keys has an element that omits key field "port""#], "\(results)")
    }
}
