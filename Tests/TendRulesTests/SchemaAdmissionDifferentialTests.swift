import Foundation
import Testing
import TendKube
import TendMeta
@testable import TendOffline
import TendTesting
import TendValue

@testable import TendRules

/// The offline cluster's admission of custom objects agrees with the real API server's: the CRD a
/// rule's `schema` generates is installed, every invalid object of ``SchemaAdmissionTests/invalid``
/// is created on the cluster and must be refused with exactly the errors the offline cluster gives
/// (the API server's order aside), and a valid object with unknown fields and left-out defaults is
/// stored exactly as the offline cluster stores it.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: "timegates.admission.tend-test.dev"), .timeLimit(.minutes(3)))
struct SchemaAdmissionDifferentialTests {
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    /// The cluster with the rule's CRD installed (applied, so a changed schema replaces the old one)
    /// and a fresh namespace; the namespace is deleted by the caller.
    static func setUp() async throws -> (KubeClient, ResourceClient, String) {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        let crds = try await client.resource(crdKind)
        let crd = try SchemaAdmissionTests.crd()
        _ = try await crds.apply(crd, fieldManager: "tend-test", force: true)
        await poll(until: "CRD established") {
            (try? await crds.get("timegates.admission.tend-test.dev"))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let ns = "admission-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        var gates: ResourceClient?
        await poll(until: "TimeGates served") {
            gates = try? await client.resource(SchemaAdmissionTests.kind, namespace: ns)
            return gates != nil
        }
        return (client, try #require(gates), ns)
    }

    static func tearDown(_ client: KubeClient, namespace: String) async {
        let namespaces = try? await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try? await namespaces?.delete(namespace)
        await client.shutdown()
    }

    static func inNamespace(_ object: Value, _ ns: String) -> Value {
        var o = object
        o["metadata"]?["namespace"] = .string(ns)
        return o
    }

    @Test func invalidObjectsAreRefusedAlikeOfflineAndLive() async throws {
        let (client, gates, ns) = try await Self.setUp()
        var offline = OfflineCluster(objects: [try SchemaAdmissionTests.crd()])
        for (index, (spec, expected)) in SchemaAdmissionTests.invalid.enumerated() {
            let object = Self.inNamespace(SchemaAdmissionTests.object(spec, name: "g\(index)"), ns)
            offline.put(object)
            let offlineMessage = try #require(offline.failures.last, "case \(index): the offline cluster took \(spec)")
            do {
                _ = try await gates.create(object)
                Issue.record("case \(index): the API server took \(spec); offline: \(offlineMessage)")
            } catch {
                let status = try #require(error.status, "case \(index): \(error)")
                let liveMessage = status.message ?? ""
                #expect(status.reason == "Invalid", "case \(index): \(liveMessage)")
                #expect(status.causes.count == expected.count, "case \(index): live \(liveMessage)\noffline \(offlineMessage)")
                for e in expected {
                    #expect(liveMessage.contains(e), "case \(index): live lacks \(e)\nlive \(liveMessage)")
                    #expect(offlineMessage.contains(e), "case \(index): offline lacks \(e)\noffline \(offlineMessage)")
                }
                let prefix = "TimeGates.admission.tend-test.dev \"g\(index)\" is invalid: "
                #expect(liveMessage.hasPrefix(prefix) && offlineMessage.hasPrefix(prefix), "case \(index):\nlive \(liveMessage)\noffline \(offlineMessage)")
            }
        }
        await Self.tearDown(client, namespace: ns)
    }

    @Test func aValidObjectIsStoredAlikeOfflineAndLive() async throws {
        let (client, gates, ns) = try await Self.setUp()
        var offline = OfflineCluster(objects: [try SchemaAdmissionTests.crd()])
        let object = Self.inNamespace(SchemaAdmissionTests.object([
            "image": "x", "ports": [["name": "b", "extra": 2]], "unknown": 1, "main": ["name": "m", "port": .null],
            "labels": ["a": "b"], "weight": 0.5,
        ]), ns)
        offline.put(object)
        #expect(offline.failures == [])
        let stored = try await gates.create(object)
        let offlineStored = try #require(offline.get(SchemaAdmissionTests.kind, namespace: ns, name: "g"))
        #expect(stored["spec"] == offlineStored["spec"], "live \(stored["spec"] ?? .null)\noffline \(offlineStored["spec"] ?? .null)")
        await Self.tearDown(client, namespace: ns)
    }
}
