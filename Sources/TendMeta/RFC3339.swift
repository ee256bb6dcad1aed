package import Foundation

/// RFC 3339 timestamps as Kubernetes writes them (`2026-11-29T01:00:00Z`, optional fraction and offset).
///
/// The one place Tend parses and formats them (package-wide: conditions, Events, exec credentials,
/// `tend plan --now`). Plain arithmetic on the proleptic Gregorian calendar, in UTC: no formatter,
/// locale or time-zone database is involved (an `ISO8601DateFormatter` costs tens of microseconds to
/// create, and a reconcile formats its time).
package enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` too, as RFC 3339 allows); nil
    /// when `s` is not an RFC 3339 time or names a day or time that does not exist.
    package static func parse(_ s: String) -> Date? {
        var s = s
        return s.withUTF8 { parse(bytes: $0) }
    }

    /// UTC with second precision (`lastTransitionTime`, Event timestamps); a fraction is cut, as Go
    /// formats Kubernetes' times.
    package static func format(_ d: Date) -> String {
        let seconds = Int64((d.timeIntervalSince1970).rounded(.down))
        return formatted(seconds: seconds, milliseconds: nil)
    }

    /// UTC with millisecond precision, for times Tend measures durations from (`pendingTransition.since`):
    /// with whole seconds, a `for: 3s` could fire up to a second early.
    /// A whole second is written without a fraction, as ``format(_:)`` writes it.
    package static func formatMilliseconds(_ d: Date) -> String {
        // Truncated, never rounded up: a time measured from must not lie after the instant it records.
        // The 0.1 us added absorbs the product's binary error (2.05 s is 2049.99999... ms); a Date
        // now holds about 0.2 us of precision.
        let total = Int64((d.timeIntervalSince1970 * 1000 + 1e-4).rounded(.down))
        let (seconds, milliseconds) = floorDivision(total, 1000)
        return formatted(seconds: seconds, milliseconds: milliseconds == 0 ? nil : Int(milliseconds))
    }

    private static func formatted(seconds: Int64, milliseconds: Int?) -> String {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        var out = ""
        out.reserveCapacity(24)
        if year < 0 { out += "-" }
        append(&out, Int(abs(year)), width: 4)
        out += "-"
        append(&out, month, width: 2)
        out += "-"
        append(&out, day, width: 2)
        out += "T"
        append(&out, Int(secondOfDay / 3600), width: 2)
        out += ":"
        append(&out, Int(secondOfDay / 60 % 60), width: 2)
        out += ":"
        append(&out, Int(secondOfDay % 60), width: 2)
        if let milliseconds {
            out += "."
            append(&out, milliseconds, width: 3)
        }
        out += "Z"
        return out
    }

    private static func append(_ out: inout String, _ value: Int, width: Int) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for _ in 0..<n {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
                i += 1
            }
            return v
        }
        func expect(_ options: UInt8...) -> Bool {
            guard i < b.count, options.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, 0x74), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60 else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        if expect(0x5A, 0x7A) {
            offset = 0
        } else if i < b.count, b[i] == 0x2B || b[i] == 0x2D {
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2), h < 24, m < 60 else { return nil }
            offset = sign * (h * 3600 + m * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Self.days(fromCivil: Int64(year), month, day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Quotient and remainder rounded towards negative infinity.
    private static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int64, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
