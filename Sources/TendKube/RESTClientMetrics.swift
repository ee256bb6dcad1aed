package import CoreMetrics
import Synchronization

/// The API client's request metrics (client-go's `rest_client_*` with the `tend_` prefix).
///
/// | metric | type | meaning |
/// | --- | --- | --- |
/// | `tend_rest_client_requests_total{verb, code}` | counter | attempts sent, by Kubernetes verb and HTTP status (`<error>` when no response arrived) |
/// | `tend_rest_client_request_duration_seconds{verb}` | histogram | time of one attempt, to the full response (to the response head for watches) |
/// | `tend_rest_client_rate_limiter_duration_seconds{verb}` | histogram | time an attempt waited for the client-side rate limiter (`--kube-api-qps`, `--kube-api-burst`) before it was sent |
///
/// Counted per attempt, as client-go does: a request retried after a 503 counts one `503` and one
/// `200`. ``KubeClient/requestCounts`` counts logical requests instead. Labels are bounded: verbs
/// are Tend's fixed set, codes are HTTP statuses; no label names an object or a path.
final class RESTClientMetrics: Sendable {
    static let requestsName = "tend_rest_client_requests_total"
    static let durationName = "tend_rest_client_request_duration_seconds"
    static let rateLimiterName = "tend_rest_client_rate_limiter_duration_seconds"
    /// The `code` of an attempt that got no HTTP response (client-go's `<error>`).
    static let noResponse = "<error>"

    private struct Key: Hashable {
        var verb: String
        var code: String
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])
    private let limiterTimers = Mutex<[String: Timer]>([:])

    init(factory: any MetricsFactory) { self.factory = factory }

    /// Records one attempt of a `verb` request that ended with HTTP `status` (nil: no response).
    func record(verb: String, status: Int?, duration: Duration) {
        let key = Key(verb: verb, code: status.map(String.init) ?? Self.noResponse)
        let counter = counters.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: Self.requestsName, dimensions: [("verb", key.verb), ("code", key.code)], factory: factory)
            cache[key] = c
            return c
        }
        counter.increment()
        let timer = timers.withLock { cache in
            if let t = cache[verb] { return t }
            let t = Timer(label: Self.durationName, dimensions: [("verb", verb)], factory: factory)
            cache[verb] = t
            return t
        }
        timer.record(duration)
    }
}

extension RESTClientMetrics {
    /// Records how long an attempt of a `verb` request waited for the client-side rate limiter.
    func recordRateLimiterWait(verb: String, _ wait: Duration) {
        let timer = limiterTimers.withLock { cache in
            if let t = cache[verb] { return t }
            let t = Timer(label: Self.rateLimiterName, dimensions: [("verb", verb)], factory: factory)
            cache[verb] = t
            return t
        }
        timer.record(wait)
    }
}

extension Timer {
    /// Records a `Duration` (clamped at zero), in nanoseconds.
    package func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return recordNanoseconds(Int64.max) }
        recordNanoseconds(max(0, nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }
}
