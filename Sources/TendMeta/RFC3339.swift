package import Foundation
import TendValue

/// RFC 3339 timestamps as Kubernetes writes them (`2026-11-29T01:00:00Z`, optional fraction and offset).
///
/// The one place Tend parses and formats them as `Date`s (package-wide: conditions, Events, exec
/// credentials, `tend plan --now`), through TendValue's `CivilTime` arithmetic (an
/// `ISO8601DateFormatter` costs tens of microseconds to create, and a reconcile formats its time).
package enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` too, as RFC 3339 allows); nil
    /// when `s` is not an RFC 3339 time or names a day or time that does not exist.
    package static func parse(_ s: String) -> Date? {
        guard let (seconds, nanoseconds) = CivilTime.parseRFC3339(s) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    /// UTC with second precision (`lastTransitionTime`, Event timestamps); a fraction is cut, as Go
    /// formats Kubernetes' times.
    package static func format(_ d: Date) -> String {
        CivilTime.formatRFC3339(seconds: Int64(d.timeIntervalSince1970.rounded(.down)))
    }

    /// UTC with millisecond precision, for times Tend measures durations from (`pendingTransition.since`):
    /// with whole seconds, a `for: 3s` could fire up to a second early.
    /// A whole second is written without a fraction, as ``format(_:)`` writes it.
    package static func formatMilliseconds(_ d: Date) -> String {
        // Truncated, never rounded up: a time measured from must not lie after the instant it records.
        // The 0.1 us added absorbs the product's binary error (2.05 s is 2049.99999... ms); a Date
        // now holds about 0.2 us of precision.
        let total = Int64((d.timeIntervalSince1970 * 1000 + 1e-4).rounded(.down))
        let (seconds, milliseconds) = CivilTime.floorDivision(total, 1000)
        return CivilTime.formatRFC3339(seconds: seconds, fraction: milliseconds == 0 ? nil : milliseconds, digits: 3)
    }
}
