import CBenchSupport
import Foundation
import TendKube
import TendMeta
import TendRuntime

/// A relist of a synced cache, triggered the way it happens in production: the watch cannot resume
/// from its resourceVersion (410 Gone). scripts/bench runs this against a private kube-apiserver on
/// the cluster's etcd, and once this prints `relist-ready`, stops that server, writes to the
/// namespace behind its back and starts it again: the new server's watch cache begins after the
/// informer's resourceVersion, so the resumed watch gets 410 and the reflector relists.
enum RelistBenchmarks {
    /// Syncs the ConfigMaps of `namespace`, then waits for one complete relist and reports its
    /// time and the peak RSS during it against the RSS once synced (steady state). With `capFactor`,
    /// exits with status 3 when that peak exceeded `capFactor` × steady state, as a memory limit of
    /// that size would have killed the process.
    static func run(namespace: String, pageSize: Int?, capFactor: Double?) async throws {
        let client = try ClusterBenchmarks.client()
        var tuning = ReflectorConfiguration()
        if let pageSize { tuning.pageSize = pageSize }
        tuning.backoff.initial = .milliseconds(200)
        tuning.backoff.cap = .seconds(2)
        let factory = SharedInformerFactory(client: client, reflector: tuning)
        let start = Measure.now()
        let informer = try await factory.informer(for: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: namespace)
        let running = Task { await factory.run() }
        await informer.waitForSync()
        let synced = Measure.now() - start
        let objects = informer.store.count
        let listsBefore = informer.statistics.listRequests
        let steady = tend_bench_rss_kib()
        _ = tend_bench_reset_hwm()
        print("relist-ready objects=\(objects) sync_seconds=\(String(format: "%.3f", synced)) steady_rss_kib=\(steady)")
        fflush(nil)

        var relistStart: Double?
        let pages = max(1, (objects + tuning.pageSize - 1) / tuning.pageSize)
        while true {
            try await Task.sleep(for: .milliseconds(10))
            let stats = informer.statistics
            if relistStart == nil, stats.relists >= 1 { relistStart = Measure.now() }
            if stats.relists >= 1, !informer.store.isReplacing, stats.listRequests - listsBefore >= pages { break }
            if Measure.now() - start > 900 { throw BenchError("no relist within 900 s: \(stats)") }
        }
        let seconds = Measure.now() - (relistStart ?? Measure.now())
        let peak = tend_bench_hwm_kib()
        let ratio = Double(peak) / Double(max(steady, 1))
        print("peer=tend mode=relist objects=\(informer.store.count) relist_seconds=\(String(format: "%.3f", seconds)) steady_rss_kib=\(steady) relist_peak_rss_kib=\(peak) peak_over_steady=\(String(format: "%.3f", ratio)) relists=\(informer.statistics.relists)")
        running.cancel()
        await client.shutdown()
        if let capFactor, ratio > capFactor {
            print("relist exceeded the memory cap of \(capFactor)x steady state")
            exit(3)
        }
    }
}
