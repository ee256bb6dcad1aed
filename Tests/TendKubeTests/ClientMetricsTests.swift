import CoreMetrics
import MetricsTestKit
import Testing
import TendMeta
import TendTesting
import TendValue
import TendKube

/// `tend_rest_client_*` against the fake API server, into an isolated `TestMetrics` factory.
@Suite(.timeLimit(.minutes(2)))
struct ClientMetricsTests {
    static let configMaps = APIResource(
        groupVersion: GroupVersion(group: "", version: "v1"), name: "configmaps", kind: "ConfigMap", namespaced: true)
    static let object: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "ns"]]

    @Test func everyAttemptIsCountedByVerbAndCode() async throws {
        let server = try FakeAPIServer { request, i in
            if request.method == "DELETE" { return .status(404, reason: "NotFound", message: "gone") }
            return i == 0 ? .status(503, reason: "ServiceUnavailable", message: "busy") : .json(200, Self.object)
        }
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = .unlimited
        let metrics = TestMetrics()
        let options = KubeClient.Options(
            retryPolicy: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1), jitter: 0), random: { 0 }, metrics: metrics)
        try await KubeClient.withClient(config, options: options) { client in
            let cms = client.resource(Self.configMaps, namespace: "ns")
            _ = try await cms.get("a")  // 503, then 200
            _ = try await cms.get("a")
            await #expect(throws: KubeError.self) { _ = try await cms.delete("a") }
            #expect(client.requestCounts == ["get": 2, "delete": 1], "logical requests")
        }
        func count(_ verb: String, _ code: String) throws -> Int64 {
            try metrics.expectCounter("tend_rest_client_requests_total", [("verb", verb), ("code", code)]).totalValue
        }
        #expect(try count("get", "503") == 1)
        #expect(try count("get", "200") == 2)
        #expect(try count("delete", "404") == 1)
        let getTimes = try metrics.expectTimer("tend_rest_client_request_duration_seconds", [("verb", "get")]).values
        #expect(getTimes.count == 3 && getTimes.allSatisfy { $0 > 0 })
    }

    @Test func anAttemptWithoutAResponseIsCountedAsError() async throws {
        var config = ClientConfiguration(server: "http://127.0.0.1:1", source: "test")  // nothing listens on port 1
        config.rateLimit = .unlimited
        let metrics = TestMetrics()
        let options = KubeClient.Options(retryPolicy: RetryPolicy(maxAttempts: 1), connectTimeout: .seconds(2), metrics: metrics)
        await KubeClient.withClient(config, options: options) { client in
            await #expect(throws: KubeError.self) { _ = try await client.resource(Self.configMaps, namespace: "ns").get("a") }
        }
        #expect(try metrics.expectCounter("tend_rest_client_requests_total", [("verb", "get"), ("code", "<error>")]).totalValue == 1)
    }

    /// `--kube-api-qps`/`--kube-api-burst`: the time attempts wait for the client-side limiter is
    /// exported, per verb.
    @Test func theTimeWaitedForTheRateLimiterIsRecorded() async throws {
        let server = try FakeAPIServer { _, _ in .json(200, Self.object) }
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = RateLimit(qps: 0.2, burst: 1)
        let metrics = TestMetrics()
        try await KubeClient.withClient(config, options: KubeClient.Options(metrics: metrics)) { client in
            let cms = client.resource(Self.configMaps, namespace: "ns")
            for _ in 0..<2 { _ = try await cms.get("a") }
        }
        let waits = try metrics.expectTimer("tend_rest_client_rate_limiter_duration_seconds", [("verb", "get")]).values
        #expect(waits.count == 2)
        // A burst of one at one request per 5 s: the first goes at once, the second waits for the
        // rest of the 5 s (however long the first took on a loaded machine, more than 2 s).
        #expect(waits.filter { $0 >= 2_000_000_000 }.count == 1, "\(waits)")
    }
}
