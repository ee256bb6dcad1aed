public import CoreMetrics
import TendKube

/// The reconcile metrics of one ``Controller`` (controller-runtime's `controller_runtime_reconcile_*`
/// with the `tend_` prefix).
///
/// | metric | type | meaning |
/// | --- | --- | --- |
/// | `tend_reconcile_total{result}` | counter | reconciles by outcome: `success` (``ReconcileResult/done``), `requeue` (``ReconcileResult/requeue(after:)``), `error` (thrown, retried or terminal) |
/// | `tend_reconcile_errors_total` | counter | reconciles that threw (the `error` results) |
/// | `tend_reconcile_duration_seconds` | histogram | time in the reconcile function, whatever the outcome |
///
/// A reconcile cut short by cancellation (shutdown) is not counted. Every series carries
/// `dimensions` (Tend uses `rule`); the metrics come from the injected `factory`.
public struct ControllerMetrics: Sendable {
    public static let totalName = "tend_reconcile_total"
    public static let errorsName = "tend_reconcile_errors_total"
    public static let durationName = "tend_reconcile_duration_seconds"

    /// The `result` label of `tend_reconcile_total`.
    public enum Result: String, Sendable, CaseIterable {
        case success, error, requeue
    }

    private let totals: [Result: Counter]
    private let errors: Counter
    private let duration: Timer

    public init(dimensions: [(String, String)], factory: any MetricsFactory) {
        var totals: [Result: Counter] = [:]
        for result in Result.allCases {
            totals[result] = Counter(label: Self.totalName, dimensions: dimensions + [("result", result.rawValue)], factory: factory)
        }
        self.totals = totals
        errors = Counter(label: Self.errorsName, dimensions: dimensions, factory: factory)
        duration = Timer(label: Self.durationName, dimensions: dimensions, factory: factory)
    }

    /// Records one finished reconcile.
    func record(_ result: Result, duration elapsed: Duration) {
        totals[result]?.increment()
        if result == .error { errors.increment() }
        duration.record(elapsed)
    }
}
