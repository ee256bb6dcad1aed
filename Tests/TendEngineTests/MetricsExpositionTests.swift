import Foundation
import Logging
import Testing
import TendRuntime
import TendTesting
@testable import TendEngine

/// `/metrics` without a cluster: an isolated ``MetricsRegistry`` filled by the runtime's
/// instrumentation, served by ``HealthServer``, read back as Prometheus text.
struct MetricsExpositionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func metricsEndpointServesParseablePrometheusText() async throws {
        let registry = MetricsRegistry()
        let rule = [("rule", "demo")]
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock, metrics: WorkQueueMetrics(dimensions: rule, factory: registry.factory))
        let controller = Controller(
            queue: queue, logger: Logger(label: "test"), metrics: ControllerMetrics(dimensions: rule, factory: registry.factory)
        ) { key in
            if key == "bad" { throw TerminalError(CancellationError()) }
            return .done
        }
        ChildWriteMetrics(rule: "demo", factory: registry.factory).record(.create)
        EngineMetrics.recordBuildInfo(version: "1.2.3", factory: registry.factory)

        let run = Task { await controller.run() }
        queue.add("good")
        queue.add("bad")
        while queue.count > 0 || queue.processingCount > 0 { try await Task.sleep(for: .milliseconds(5)) }
        controller.shutDown()
        await run.value

        let server = try HealthServer(host: "127.0.0.1", port: 0, metrics: { registry.exposition() }) { true }
        defer { server.stop() }
        let response = try httpGet(server.port, "/metrics")
        #expect(response.status == 200)
        #expect(response.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = try PrometheusText(response.body)
        #expect(text.value("tend_reconcile_total", ["rule": "demo", "result": "success"]) == 1)
        #expect(text.value("tend_reconcile_total", ["rule": "demo", "result": "error"]) == 1)
        #expect(text.value("tend_reconcile_total", ["rule": "demo", "result": "requeue"]) == 0)
        #expect(text.value("tend_reconcile_errors_total", ["rule": "demo"]) == 1)
        #expect(text.value("tend_reconcile_duration_seconds_count", ["rule": "demo"]) == 2)
        #expect(text.value("tend_reconcile_duration_seconds_bucket", ["rule": "demo", "le": "+Inf"]) == 2)
        #expect(text.value("tend_workqueue_adds_total", ["rule": "demo"]) == 2)
        #expect(text.value("tend_workqueue_depth", ["rule": "demo"]) == 0)
        #expect(text.value("tend_workqueue_work_duration_seconds_count", ["rule": "demo"]) == 2)
        #expect(text.value("tend_child_writes_total", ["rule": "demo", "operation": "create"]) == 1)
        #expect(text.value("tend_child_writes_total", ["rule": "demo", "operation": "delete"]) == 0)
        #expect(text.value("tend_build_info", ["version": "1.2.3"]) == 1)
        #expect(text.types["tend_reconcile_duration_seconds"] == "histogram")
        #expect(text.types["tend_workqueue_depth"] == "gauge")
        #expect(text.help["tend_reconcile_total"] == MetricCatalog.byName["tend_reconcile_total"]?.help)
        // HEAD answers the same head without a body; without a metrics source /metrics stays 404.
        let plain = try HealthServer(host: "127.0.0.1", port: 0) { true }
        defer { plain.stop() }
        #expect(try httpGet(plain.port, "/metrics").status == 404)
    }

    /// docs/metrics.md lists exactly the catalogued metrics, with their types and labels.
    @Test func docsListEveryMetric() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        var documented: [String: (type: String, labels: String)] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `tend_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (cells[1], cells[2])
        }
        #expect(Set(documented.keys) == Set(MetricCatalog.all.map(\.name)))
        for entry in MetricCatalog.all {
            #expect(documented[entry.name]?.type == entry.kind.rawValue, "\(entry.name)")
            let labels = entry.labels.isEmpty ? "none" : entry.labels.map { "`\($0)`" }.joined(separator: ", ")
            #expect(documented[entry.name]?.labels == labels, "\(entry.name)")
        }
    }
}
