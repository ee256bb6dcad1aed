import Testing
import TendMeta
@testable import TendOffline
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
}
