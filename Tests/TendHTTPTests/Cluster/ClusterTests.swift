import Foundation
import Testing
import TendHTTP
import TendTesting

/// Tests against the real local control plane (kube-apiserver 1.20.2 over TLS, HTTP/2).
/// TendTesting's `LocalCluster` finds the cluster; under `CI=true` a missing cluster fails.
/// Serialized so timing-sensitive tests do not compete with the stress test for 2 cores.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun, "no local cluster configured (TEND_CLUSTER_DIR)"),
       .timeLimit(.minutes(5)))
struct ClusterTests {
    let cluster: LocalCluster

    init() throws {
        cluster = try LocalCluster.require()
    }

    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Creates a namespace named `tend-http-<prefix>-<random>`.
    func createNamespace(_ client: HTTPClient, _ prefix: String) async throws -> String {
        let name = "tend-http-\(prefix)-\(UInt32.random(in: 0..<UInt32.max))"
        let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#
        let response = try await client.execute(.withBody(.post, cluster.url("/api/v1/namespaces"),
                                                          body: Array(body.utf8), contentType: "application/json"))
        #expect(response.status == 201, "create namespace: \(text(response.body))")
        return name
    }

    func deleteNamespace(_ client: HTTPClient, _ name: String) async throws {
        let response = try await client.execute(HTTPRequest(method: .delete, url: cluster.url("/api/v1/namespaces/\(name)")))
        #expect(response.status == 200 || response.status == 202, "delete namespace: \(response.status)")
    }

    func configMapRequest(namespace: String, name: String, data: String = "v") -> HTTPRequest {
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"k":"\#(data)"}}"#
        return .withBody(.post, cluster.url("/api/v1/namespaces/\(namespace)/configmaps"), body: Array(body.utf8),
                         contentType: "application/json", accept: "application/json")
    }
}
