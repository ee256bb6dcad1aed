import CoreMetrics
import Prometheus
import TendRuntime

extension WorkQueueBenchmarks {
    /// The same loop with the queue's metrics on: a no-op factory (the tracker's own cost), then a
    /// Prometheus registry as `tend run` uses.
    static func runInstrumented() async {
        let dimensions = [("rule", "bench")]
        await addNextDone(
            "workqueue-add-next-done-noop-metrics",
            WorkQueue(clock: SystemClock(), metrics: WorkQueueMetrics(dimensions: dimensions, factory: NOOPMetricsHandler.instance)))
        let prometheus = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        await addNextDone(
            "workqueue-add-next-done-prometheus",
            WorkQueue(clock: SystemClock(), metrics: WorkQueueMetrics(dimensions: dimensions, factory: prometheus)))
    }
}
