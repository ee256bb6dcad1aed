import TendValue

/// A point in time: seconds since the Unix epoch (UTC) plus nanoseconds, within the range CEL
/// allows (years 0001 to 9999).
public struct CELTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanos: Int32  // 0..<1_000_000_000

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    static let minSeconds: Int64 = -62_135_596_800
    static let maxSeconds: Int64 = 253_402_300_799

    /// Nil when outside the CEL range.
    public init?(seconds: Int64, nanos: Int32 = 0) {
        var s = seconds
        var n = Int64(nanos)
        s += n / 1_000_000_000
        n %= 1_000_000_000
        if n < 0 { n += 1_000_000_000; s -= 1 }
        guard s >= Self.minSeconds, s <= Self.maxSeconds else { return nil }
        self.seconds = s
        self.nanos = Int32(n)
    }

    public static func < (a: CELTimestamp, b: CELTimestamp) -> Bool {
        (a.seconds, a.nanos) < (b.seconds, b.nanos)
    }

    /// RFC 3339 in UTC with `Z`, fractional seconds only when non-zero (as cel-go prints).
    public var description: String {
        let c = CalendarFields(unixSeconds: seconds)
        var s = "\(String(c.year).leftPad(4))-\(String(c.month).leftPad(2))-\(String(c.day).leftPad(2))T"
        s += "\(String(c.hour).leftPad(2)):\(String(c.minute).leftPad(2)):\(String(c.second).leftPad(2))"
        if nanos != 0 {
            var frac = String(nanos).leftPad(9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }

    /// Parses RFC 3339 (`2024-01-02T03:04:05Z`, `...05.123+02:00`, lowercase `t`/`z` accepted).
    public init?(rfc3339 text: String) {
        guard let (seconds, nanoseconds) = CivilTime.parseRFC3339(text) else { return nil }
        self.init(seconds: seconds, nanos: Int32(nanoseconds))
    }
}

/// A signed span of time in nanoseconds (the range of Go's `time.Duration`, about ±292 years, as in
/// cel-go).
public struct CELDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: CELDuration, b: CELDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Seconds with up to 9 fractional digits and an `s` suffix: `"1.5s"`, `"-3600s"`, `"0s"`.
    public var description: String {
        let neg = nanoseconds < 0
        let mag = nanoseconds.magnitude
        var s = (neg ? "-" : "") + String(mag / 1_000_000_000)
        let frac = mag % 1_000_000_000
        if frac != 0 {
            var f = String(frac).leftPad(9)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s + "s"
    }

    /// Parses Go duration syntax: a sign, then decimal numbers with units `h`, `m`, `s`, `ms`,
    /// `us` (or `µs`), `ns`, e.g. `"1h30m"`, `"-1.5s"`, `"100ms"`; `"0"` alone is zero.
    public init?(parsing text: String) {
        var s = Substring(text)
        var neg = false
        if s.first == "-" || s.first == "+" {
            neg = s.first == "-"
            s = s.dropFirst()
        }
        if s == "0" { self.init(nanoseconds: 0); return }
        guard !s.isEmpty else { return nil }
        var total: Double = 0
        var exact: Int64 = 0
        var exactOK = true
        while !s.isEmpty {
            var intPart = ""
            var fracPart = ""
            while let c = s.first, c.isASCII, c.isNumber { intPart.append(c); s = s.dropFirst() }
            if s.first == "." {
                s = s.dropFirst()
                while let c = s.first, c.isASCII, c.isNumber { fracPart.append(c); s = s.dropFirst() }
            }
            guard !(intPart.isEmpty && fracPart.isEmpty) else { return nil }
            let unit: Int64
            if s.hasPrefix("ns") { unit = 1; s = s.dropFirst(2) }
            else if s.hasPrefix("us") { unit = 1_000; s = s.dropFirst(2) }
            else if s.hasPrefix("µs") { unit = 1_000; s = s.dropFirst(2) }
            else if s.hasPrefix("ms") { unit = 1_000_000; s = s.dropFirst(2) }
            else if s.hasPrefix("s") { unit = 1_000_000_000; s = s.dropFirst() }
            else if s.hasPrefix("m") { unit = 60_000_000_000; s = s.dropFirst() }
            else if s.hasPrefix("h") { unit = 3_600_000_000_000; s = s.dropFirst() }
            else { return nil }
            // Integer part exactly; fraction through Double scaled by the unit.
            if let ip = Int64(intPart.isEmpty ? "0" : intPart) {
                let (m, o1) = ip.multipliedReportingOverflow(by: unit)
                let (sum, o2) = exact.addingReportingOverflow(m)
                if o1 || o2 { exactOK = false } else { exact = sum }
            } else {
                exactOK = false
            }
            if !fracPart.isEmpty, let f = Double("0." + fracPart) {
                let add = Int64((f * Double(unit)).rounded())
                let (sum, o) = exact.addingReportingOverflow(add)
                if o { exactOK = false } else { exact = sum }
            }
            total += (Double(intPart.isEmpty ? "0" : intPart) ?? .infinity) * Double(unit)
        }
        guard exactOK, total < 9.3e18 else { return nil }
        self.init(nanoseconds: neg ? -exact : exact)
    }
}

/// Calendar fields of a moment, proleptic Gregorian (TendValue's `CivilTime` arithmetic).
struct CalendarFields {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    var dayOfWeek: Int  // 0 = Sunday
    var dayOfYear: Int  // 0-based

    init(unixSeconds: Int64) {
        let (days, rem) = CivilTime.floorDivision(unixSeconds, 86400)
        hour = Int(rem / 3600)
        minute = Int(rem % 3600 / 60)
        second = Int(rem % 60)
        let date = CivilTime.date(fromDays: days)
        (year, month, day) = (Int(date.year), Int(date.month), Int(date.day))
        let (_, w) = CivilTime.floorDivision(days + 4, 7)
        dayOfWeek = Int(w)
        dayOfYear = Int(days - CivilTime.days(fromYear: date.year, month: 1, day: 1))
    }
}
