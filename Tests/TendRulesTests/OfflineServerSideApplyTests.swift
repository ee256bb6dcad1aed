import Foundation
import Testing
import TendMeta
import TendOffline
@testable import TendRules
import TendValue

/// The offline cluster's server-side apply as rules meet it: the list keys the planner fills in, a
/// rule's patch merged into a list map, and a write the API server would refuse failing a test step.
@Suite struct OfflineServerSideApplyTests {
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let live: Value = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "web:1"], ["name": "sidecar", "image": "proxy:1"]]]]]]

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
