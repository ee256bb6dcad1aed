import Foundation
public import TendHTTP

/// When a failed request is sent again, and after how long. A pure value: ``decide(_:attempt:elapsed:idempotent:random:)``
/// has no side effects, so the whole table is unit-tested.
///
/// | failure | idempotent request (GET, PUT, DELETE, merge/apply PATCH) | POST, JSON-patch PATCH |
/// | --- | --- | --- |
/// | connect failed, TLS handshake failed (not certificate verification) | backoff | backoff (proves nothing was received) |
/// | timeout, idle timeout, reset / other transport failure | backoff | never |
/// | 429 Too Many Requests | wait `Retry-After` (header, else Status `details.retryAfterSeconds`, else backoff) | same (the server refused it) |
/// | 5xx (not 501) | backoff, or `Retry-After` when the server sent one | never |
/// | other 4xx, 501, certificate verification failed, cancelled, shut down | never | never |
///
/// Bounded in count (``maxAttempts``, the first attempt included) and in time (``maxElapsed``:
/// no retry is scheduled whose wait would end after it). Backoff is exponential from
/// ``initialBackoff`` doubling up to ``maxBackoff``, plus up to ``jitter`` × itself of random
/// jitter so that many clients failing together do not retry in lockstep.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included; 1 disables retries.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Fraction of the backoff added as random jitter (0.5: up to +50 %).
    public var jitter: Double
    /// No retry is scheduled that would end later than this after the first attempt started.
    public var maxElapsed: Duration
    /// Longest server-requested wait (`Retry-After`) honoured; longer requests fail instead.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(8),
        jitter: Double = 0.5, maxElapsed: Duration = .seconds(60), maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = max(0, jitter)
        self.maxElapsed = maxElapsed
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()
    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Why an attempt failed.
    public enum Failure: Sendable, Hashable {
        /// No response: the transport failed.
        case transport(HTTPError.Code)
        /// The server answered with an error status; `retryAfter` from the `Retry-After` header
        /// or the Status' `details.retryAfterSeconds`.
        case status(Int, retryAfter: Duration?)
    }

    public enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case fail
    }

    /// Decides what to do after failed attempt number `attempt` (1-based).
    /// - Parameters:
    ///   - elapsed: time since the first attempt started.
    ///   - idempotent: whether sending the request twice is harmless (false for POST and JSON patch).
    ///   - random: a number in 0..<1 for the jitter.
    public func decide(_ failure: Failure, attempt: Int, elapsed: Duration, idempotent: Bool, random: Double) -> Decision {
        guard attempt < maxAttempts else { return .fail }
        let wait: Duration
        switch failure {
        case .transport(let code):
            switch code {
            case .connectFailed, .tlsFailed(.other):
                wait = backoff(attempt: attempt, random: random)
            case .timedOut, .idleTimeout, .transport:
                guard idempotent else { return .fail }
                wait = backoff(attempt: attempt, random: random)
            case .tlsFailed(.certificateVerifyFailed), .cancelled, .shutdown, .invalidRequest:
                return .fail
            }
        case .status(let code, let retryAfter):
            if code == 429 {
                if let retryAfter {
                    guard retryAfter <= maxRetryAfter else { return .fail }
                    wait = retryAfter
                } else {
                    wait = backoff(attempt: attempt, random: random)
                }
            } else if code >= 500 && code != 501 {
                guard idempotent else { return .fail }
                if let retryAfter, retryAfter <= maxRetryAfter {
                    wait = retryAfter
                } else {
                    wait = backoff(attempt: attempt, random: random)
                }
            } else {
                return .fail
            }
        }
        guard elapsed + wait <= maxElapsed else { return .fail }
        return .retry(after: wait)
    }

    /// The backoff before attempt `attempt + 1`: `initialBackoff × 2^(attempt-1)`, at most
    /// `maxBackoff`, plus `jitter × random` of itself.
    public func backoff(attempt: Int, random: Double) -> Duration {
        let exponent = min(max(0, attempt - 1), 30)
        let base = min(initialBackoff.seconds * Double(1 << exponent), maxBackoff.seconds)
        let nanoseconds = (base * (1 + jitter * min(max(random, 0), 1)) * 1e9).rounded()
        return .nanoseconds(Int64(nanoseconds))
    }

    /// Parses a `Retry-After` header value given in seconds (the API server never sends dates).
    public static func retryAfter(header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
