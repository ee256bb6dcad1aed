import Testing
import TendMeta
import TendValue

/// The REST mapping built from discovery documents: kinds to resources, scope, verbs, subresources, and names as users type them.
@Suite struct RESTMappingTests {
    static let core = try! JSON.parse(#"""
        {"kind":"APIResourceList","groupVersion":"v1","resources":[
          {"name":"configmaps","singularName":"","namespaced":true,"kind":"ConfigMap","verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["cm"]},
          {"name":"namespaces","singularName":"","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list","patch","update","watch"],"shortNames":["ns"]},
          {"name":"namespaces/status","singularName":"","namespaced":false,"kind":"Namespace","verbs":["get","patch","update"]},
          {"name":"pods","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","list"],"shortNames":["po"],"categories":["all"]},
          {"name":"pods/status","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]},
          {"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]}]}
        """#)
    static let appsV1 = try! JSON.parse(#"""
        {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1","resources":[
          {"name":"deployments","singularName":"","namespaced":true,"kind":"Deployment","verbs":["get","list"],"shortNames":["deploy"]},
          {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]}]}
        """#)
    static let extV1beta1 = try! JSON.parse(#"""
        {"kind":"APIResourceList","groupVersion":"extensions/v1beta1","resources":[
          {"name":"deployments","singularName":"","namespaced":true,"kind":"Deployment","verbs":["get"]}]}
        """#)

    let mapping = RESTMapping(
        resourceLists: [core, appsV1, extV1beta1],
        preferred: [GroupVersion(group: "", version: "v1"), GroupVersion(group: "apps", version: "v1")])

    @Test func kindToResourceWithScopeVerbsAndSubresources() throws {
        let cm = try #require(mapping.resource(for: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!))
        #expect(cm.name == "configmaps" && cm.namespaced && cm.verbs.contains("watch") && cm.singularName == "configmap")
        let ns = try #require(mapping.resource(for: GroupVersionKind(apiVersion: "v1", kind: "Namespace")!))
        #expect(!ns.namespaced && ns.hasStatus && ns.subresources["status"] == ["get", "patch", "update"])
        let pod = try #require(mapping.resource(for: GroupVersionResource(group: "", version: "v1", resource: "pods")))
        #expect(Set(pod.subresources.keys) == ["status", "log"] && pod.categories == ["all"])
        let deploy = try #require(mapping.resource(for: GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!))
        #expect(deploy.subresources["scale"] != nil && deploy.isPreferredVersion)
        #expect(mapping.resource(for: GroupVersionKind(apiVersion: "v1", kind: "Scale")!) == nil, "subresource kinds are not top-level")
        #expect(mapping.resource(for: GroupVersionKind(apiVersion: "apps/v1", kind: "Nope")!) == nil)
    }

    @Test(arguments: [
        ("configmaps", "configmaps.v1"), ("configmap", "configmaps.v1"), ("cm", "configmaps.v1"), ("ConfigMap", "configmaps.v1"),
        ("deploy", "deployments.v1.apps"), ("deployments.apps", "deployments.v1.apps"),
        ("deployments.v1beta1.extensions", "deployments.v1beta1.extensions"), ("deployments.extensions", "deployments.v1beta1.extensions"),
        ("pods.v1", "pods.v1"), ("NS", "namespaces.v1"),
    ])
    func resolveUserNames(name: String, expected: String) {
        #expect(mapping.resolve(name).first?.groupVersionResource.description == expected)
    }

    @Test func unknownNameResolvesToNothing() {
        #expect(mapping.resolve("widgets").isEmpty)
        #expect(mapping.resolve("configmaps.apps").isEmpty)
    }
}
