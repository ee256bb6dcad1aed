import Foundation
import Testing
@testable import TendEngine

/// The standard `process_*` metrics: parsed from `/proc` text, and served at `/metrics` with
/// plausible values for this very test process.
struct ProcessMetricsTests {
    @Test func parsesProcFilesIncludingACommandNameWithSpacesAndParentheses() throws {
        // Fields 1-24 of proc(5); the name holds ") (" to defeat a naive split.
        let stat = "4242 (tend (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 150 0 0 20 0 9 0 12345 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        let fields = try #require(ProcessMetrics.parseStat(stat))
        #expect(fields.utime == 250 && fields.stime == 150)
        #expect(fields.startTicks == 12345 && fields.vsize == 987_654_321 && fields.rssPages == 2048)
        #expect(ProcessMetrics.parseStat("garbage") == nil)
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\nbtime 1790000000\nprocesses 5\n") == 1_790_000_000)
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             unlimited            unlimited            processes
            Max open files            1024                 1048576              files
            """
        #expect(ProcessMetrics.parseMaxOpenFiles(limits) == 1024)
        #expect(ProcessMetrics.parseMaxOpenFiles("Max open files            unlimited            unlimited            files") == nil)
        // Absent values are left out, not written as zero.
        let partial = ProcessMetrics(cpuSeconds: 1.5, residentBytes: 4096).text
        #expect(partial.contains("process_cpu_seconds_total 1.5\n") && partial.contains("process_resident_memory_bytes 4096\n"))
        #expect(!partial.contains("process_max_fds"))
    }

    #if os(Linux)
    @Test func metricsEndpointServesPlausibleProcessMetrics() throws {
        // Burn a little CPU so the counter is above zero even in a fresh process.
        var x = 0.0
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        #expect(x > 0)
        let registry = MetricsRegistry()
        let server = try HealthServer(host: "127.0.0.1", port: 0, metrics: { registry.exposition() }) { true }
        defer { server.stop() }
        let response = try httpGet(server.port, "/metrics")
        #expect(response.status == 200)
        let text = try PrometheusText(response.body)
        let rss = try #require(text.value("process_resident_memory_bytes"))
        #expect(rss > 1024 * 1024 && rss < 10 * 1024 * 1024 * 1024)
        let vsize = try #require(text.value("process_virtual_memory_bytes"))
        #expect(vsize >= rss)
        let open = try #require(text.value("process_open_fds"))
        #expect(open >= 3)
        if let max = text.value("process_max_fds") { #expect(max >= open) }
        let start = try #require(text.value("process_start_time_seconds"))
        let now = Date().timeIntervalSince1970
        #expect(start <= now + 1 && start > now - 3600, "started within the last hour: \(start) vs \(now)")
        let cpu = try #require(text.value("process_cpu_seconds_total"))
        #expect(cpu > 0)
        #expect(text.types["process_cpu_seconds_total"] == "counter")
        #expect(text.types["process_resident_memory_bytes"] == "gauge")
        // Read at scrape time: a second scrape sees the CPU spent since.
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        let later = try #require(try PrometheusText(try httpGet(server.port, "/metrics").body).value("process_cpu_seconds_total"))
        #expect(later >= cpu)
    }
    #endif

    /// docs/metrics.md lists the process metrics with their types.
    @Test func docsListTheProcessMetrics() throws {
        let doc = try String(contentsOf: MetricsExpositionTests.root.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        var documented: [String: String] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `process_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        #expect(documented == Dictionary(uniqueKeysWithValues: ProcessMetrics.metrics.map { ($0.name, $0.type) }))
    }
}
