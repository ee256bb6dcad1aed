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
        let c = CivilTime(unixSeconds: seconds)
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
        let b = Array(text.utf8)
        var i = 0
        func num(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8...) -> Bool {
            guard i < b.count, c.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let y = num(4), expect(45), let mo = num(2), expect(45), let d = num(2),
            expect(84, 116), let h = num(2), expect(58), let mi = num(2), expect(58), let se = num(2)
        else { return nil }
        var nanos = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset = 0
        if expect(90, 122) {
        } else if i < b.count, b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = num(2), expect(58), let om = num(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count, (1...12).contains(mo), d >= 1, d <= CivilTime.daysIn(month: mo, year: y),
            h < 24, mi < 60, se < 60
        else { return nil }
        let days = CivilTime.daysFromCivil(y, mo, d)
        let secs = days * 86400 + Int64(h * 3600 + mi * 60 + se) - Int64(offset)
        self.init(seconds: secs, nanos: Int32(nanos))
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

/// Calendar fields of a moment, proleptic Gregorian (Howard Hinnant's civil-date algorithms).
struct CivilTime {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    var dayOfWeek: Int  // 0 = Sunday
    var dayOfYear: Int  // 0-based

    init(unixSeconds: Int64) {
        var days = unixSeconds / 86400
        var rem = unixSeconds % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        hour = Int(rem / 3600)
        minute = Int(rem % 3600 / 60)
        second = Int(rem % 60)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(month <= 2 ? y + 1 : y)
        var w = (days + 4) % 7
        if w < 0 { w += 7 }
        dayOfWeek = Int(w)
        dayOfYear = Int(days - CivilTime.daysFromCivil(year, 1, 1))
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mm = Int64(m)
        let doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
