public import CoreMetrics
import Prometheus

/// A Prometheus registry and the swift-metrics factory that fills it: what `tend run` serves at
/// `/metrics`.
///
/// Each instance is isolated (nothing touches the process-global `MetricsSystem`): pass ``factory``
/// to the components to instrument (``EngineOptions/metrics``, `KubeClient.Options.metrics`) and
/// read the result with ``exposition()``. Metrics named in ``MetricCatalog`` get their `# HELP` line
/// and histogram buckets from it; any other metric a dependency creates is exposed too, without help.
/// The `process_*` metrics are read at each ``exposition()`` (``ProcessMetrics``).
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of ``exposition()``: Prometheus text format 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let registry: PrometheusCollectorRegistry
    /// The factory to inject into instrumented components.
    public let factory: any MetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        factory = CatalogMetricsFactory(registry: registry)
    }

    /// Every metric in the Prometheus text exposition format (UTF-8), followed by the standard
    /// process metrics read from `/proc/self` now (``ProcessMetrics``; Linux only).
    public func exposition() -> [UInt8] { registry.emitToBuffer() + Array(ProcessMetrics.exposition().utf8) }
}

/// swift-metrics → Prometheus, with help texts and buckets from ``MetricCatalog``.
///
/// swift-prometheus's own `PrometheusMetricsFactory` registers every metric without help text; this
/// one is the same mapping (counter → counter, gauge and meter → gauge, timer → seconds histogram,
/// aggregating recorder → value histogram) with the catalog's descriptions.
struct CatalogMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricCatalog.byName[label]?.help ?? "")
    }

    private func buckets(_ label: String) -> [Double] {
        let catalogued = MetricCatalog.byName[label]?.buckets ?? []
        return catalogued.isEmpty ? MetricCatalog.reconcileBuckets : catalogued
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets(label))
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = buckets(label).map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
