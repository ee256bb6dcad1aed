package import Foundation

/// RFC 3339 timestamps as Kubernetes writes them (`2026-11-29T01:00:00Z`, optional fraction and offset).
///
/// The one place Tend parses and formats them (package-wide: conditions, Events, exec credentials,
/// `tend plan --now`).
package enum RFC3339 {
    /// Parses with or without fractional seconds; nil when `s` is not an RFC 3339 time.
    package static func parse(_ s: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: s)
    }

    /// UTC with second precision (`lastTransitionTime`, Event timestamps).
    package static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    /// UTC with millisecond precision, for times Tend measures durations from (`pendingTransition.since`):
    /// with whole seconds, a `for: 3s` could fire up to a second early.
    /// A whole second is written without a fraction, as ``format(_:)`` writes it.
    package static func formatMilliseconds(_ d: Date) -> String {
        let milliseconds = (d.timeIntervalSince1970 * 1000).rounded(.down)
        if milliseconds.truncatingRemainder(dividingBy: 1000) == 0 { return format(Date(timeIntervalSince1970: milliseconds / 1000)) }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        // Truncated, never rounded up: a time measured from must not lie after the instant it records.
        return f.string(from: Date(timeIntervalSince1970: milliseconds / 1000))
    }
}
