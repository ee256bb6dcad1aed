/// Dates and RFC 3339 times as plain arithmetic on the proleptic Gregorian calendar, in UTC
/// (Howard Hinnant's civil-date algorithms): no formatter, locale or time-zone database.
///
/// The one parser and formatter behind TendMeta's `RFC3339` (conditions, Events, `--now`), CEL
/// timestamps and the Lease's `MicroTime`; each converts to its own representation.
package enum CivilTime {
    /// Days since 1970-01-01 of a date (`days_from_civil`).
    package static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a count of days since 1970-01-01 (`civil_from_days`).
    package static func date(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Quotient and remainder rounded towards negative infinity.
    package static func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` too, as RFC 3339 allows) into
    /// seconds since the epoch and nanoseconds (fraction digits past the ninth cut); nil when `text`
    /// is not an RFC 3339 time or names a day, time or offset that does not exist.
    package static func parseRFC3339(_ text: String) -> (seconds: Int64, nanoseconds: Int64)? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` of `seconds` since the epoch, with `fraction` written in
    /// `digits` digits when given.
    package static func formatRFC3339(seconds: Int64, fraction: Int64? = nil, digits: Int = 0) -> String {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = date(fromDays: days)
        var out = ""
        out.reserveCapacity(20 + digits + 1)
        if year < 0 { out += "-" }
        append(&out, abs(year), width: 4)
        out += "-"
        append(&out, month, width: 2)
        out += "-"
        append(&out, day, width: 2)
        out += "T"
        append(&out, secondOfDay / 3600, width: 2)
        out += ":"
        append(&out, secondOfDay / 60 % 60, width: 2)
        out += ":"
        append(&out, secondOfDay % 60, width: 2)
        if let fraction {
            out += "."
            append(&out, fraction, width: digits)
        }
        out += "Z"
        return out
    }

    private static func append(_ out: inout String, _ value: Int64, width: Int) {
        let digits = String(value)
        if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
        out += digits
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int64)? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for _ in 0..<n {
                let c = b[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
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
        var nanoseconds: Int64 = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if count < 9 { nanoseconds = nanoseconds * 10 + Int64(b[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanoseconds *= 10 }
        }
        var offset: Int64 = 0
        if expect(0x5A, 0x7A) {
            offset = 0
        } else if i < b.count, b[i] == 0x2B || b[i] == 0x2D {
            let sign: Int64 = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2), h < 24, m < 60 else { return nil }
            offset = sign * (h * 3600 + m * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days(fromYear: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return (seconds, nanoseconds)
    }
}
