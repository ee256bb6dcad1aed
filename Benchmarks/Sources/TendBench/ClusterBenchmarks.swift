import CBenchSupport
import Foundation
import TendKube
import TendMeta
import TendRuntime
import TendValue

/// Benchmarks against a real API server (KUBECONFIG), for side-by-side runs with the client-go peer.
enum ClusterBenchmarks {
    /// A client for KUBECONFIG, without a client-side rate limit unless `TEND_BENCH_QPS` sets one
    /// (QPS and burst both that number, as the client-go peer's `-qps`): scripts/bench sets it for
    /// the fan-out job only.
    static func client() throws -> KubeClient {
        var configuration = try KubeConfigLoader().load()
        configuration.rateLimit = .unlimited
        if let text = ProcessInfo.processInfo.environment["TEND_BENCH_QPS"], let qps = Double(text), qps > 0 {
            configuration.rateLimit = RateLimit(qps: qps, burst: Int(qps))
        }
        return KubeClient(configuration: configuration)
    }

    /// Creates `count` ConfigMaps of about 1 KiB in `namespace` (32 requests in flight).
    static func seed(namespace: String, count: Int) async throws {
        let seconds = try await createConfigMaps(namespace: namespace, count: count) { n in
            var cm = Fixtures.configMap(n)
            cm["metadata"]?["uid"] = .null
            cm["metadata"]?["resourceVersion"] = .null
            cm["metadata"]?["creationTimestamp"] = .null
            return cm
        }
        print("seed namespace=\(namespace) objects=\(count) seconds=\(String(format: "%.2f", seconds))")
    }

    /// Creates the namespace (if needed) and `count` ConfigMaps `make(0..<count)` in it, 32 requests
    /// in flight; one that exists already is left as it is. Returns the seconds the creates took.
    static func createConfigMaps(namespace: String, count: Int, _ make: @escaping @Sendable (Int) -> Value) async throws -> Double {
        let client = try client()
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try? await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: namespace)
        let start = Measure.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let n = next
                next += 1
                group.addTask {
                    var cm = make(n)
                    cm["metadata"]?["namespace"] = .string(namespace)
                    do { _ = try await configMaps.create(cm) } catch let error as KubeError where error.isAlreadyExists {}
                }
            }
            for _ in 0..<min(32, count) { add() }
            while try await group.next() != nil { if next < count { add() } }
        }
        let seconds = Measure.now() - start
        await client.shutdown()
        return seconds
    }

    /// List+watch the ConfigMaps of `namespace` into an informer cache; report time to sync and memory,
    /// in the same format as the client-go peer's `-mode sync`, plus the RSS once synced and the
    /// list requests. `hold`: seconds to stay alive afterwards (for /proc/PID/smaps).
    static func sync(namespace: String, pageSize: Int?, hold: Double) async throws {
        let client = try client()
        var tuning = ReflectorConfiguration()
        if let pageSize { tuning.pageSize = pageSize }
        let factory = SharedInformerFactory(client: client, reflector: tuning)
        let heapBefore = Measure.heapBytes()
        let start = Measure.now()
        let informer = try await factory.informer(for: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: namespace)
        let running = Task { await factory.run() }
        await informer.waitForSync()
        let seconds = Measure.now() - start
        let objects = informer.store.count
        let heap = Measure.heapBytes() - heapBefore
        print("peer=tend mode=sync objects=\(objects) seconds=\(String(format: "%.3f", seconds)) peak_rss_kib=\(tend_bench_peak_rss_kib()) rss_kib=\(tend_bench_rss_kib()) heap_kib=\(heap / 1024) heap_bytes_per_object=\(objects > 0 ? heap / objects : 0) page_size=\(tuning.pageSize) list_requests=\(informer.statistics.listRequests)")
        if hold > 0 {
            fflush(nil)
            try await Task.sleep(for: .seconds(hold))
        }
        running.cancel()
        await client.shutdown()
    }
}
