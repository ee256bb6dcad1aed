internal import Foundation

/// Timestamps and durations: `timestamp(string)`, `timestamp(int)`, `duration(string)` and the
/// accessors `getFullYear`, `getMonth`, `getDate`, `getDayOfMonth`, `getDayOfWeek`,
/// `getDayOfYear`, `getHours`, `getMinutes`, `getSeconds`, `getMilliseconds`, each on a timestamp
/// with an optional time zone (`"UTC"`, `"Europe/Paris"`, `"+05:30"`); the last four also on
/// durations. Arithmetic and comparison are in Operators.swift.
extension FunctionTable {
    mutating func addTime() {
        add("timestamp", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .timestamp: return v
            case .string(let s):
                guard let t = CELTimestamp(rfc3339: s) else { throw CELError("cannot parse timestamp \(quoteString(s)) (expected RFC 3339)") }
                return .timestamp(t)
            case .int(let i):
                guard let t = CELTimestamp(seconds: i) else { throw CELError("timestamp out of range") }
                return .timestamp(t)
            default: throw .noOverload("timestamp", v)
            }
        }
        add("duration", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .duration: return v
            case .string(let s):
                guard let d = CELDuration(parsing: s) else { throw CELError("cannot parse duration \(quoteString(s))") }
                return .duration(d)
            case .int(let i): return .duration(CELDuration(nanoseconds: i))
            default: throw .noOverload("duration", v)
            }
        }
        let accessors: [(String, @Sendable (CalendarFields, Int32) -> Int64)] = [
            ("getFullYear", { c, _ in Int64(c.year) }),
            ("getMonth", { c, _ in Int64(c.month - 1) }),
            ("getDate", { c, _ in Int64(c.day) }),
            ("getDayOfMonth", { c, _ in Int64(c.day - 1) }),
            ("getDayOfWeek", { c, _ in Int64(c.dayOfWeek) }),
            ("getDayOfYear", { c, _ in Int64(c.dayOfYear) }),
            ("getHours", { c, _ in Int64(c.hour) }),
            ("getMinutes", { c, _ in Int64(c.minute) }),
            ("getSeconds", { c, _ in Int64(c.second) }),
            ("getMilliseconds", { _, n in Int64(n / 1_000_000) }),
        ]
        let durationUnits: [String: Int64] = [
            "getHours": 3_600_000_000_000, "getMinutes": 60_000_000_000, "getSeconds": 1_000_000_000,
            "getMilliseconds": 1_000_000,
        ]
        for (name, field) in accessors {
            let unit = durationUnits[name]
            add(name, member: true) { (v: CELValue) throws(CELError) -> CELValue in
                switch v {
                case .timestamp(let t): return .int(field(CalendarFields(unixSeconds: t.seconds), t.nanos))
                case .duration(let d):
                    guard let unit else { throw .noOverload(name, v) }
                    if name == "getMilliseconds" { return .int(d.nanoseconds % 1_000_000_000 / unit) }
                    return .int(d.nanoseconds / unit)
                default: throw .noOverload(name, v)
                }
            }
            add(name, member: true) { (v: CELValue, z: CELValue) throws(CELError) -> CELValue in
                guard case .timestamp(let t) = v, case .string(let zone) = z else { throw .noOverload(name, v, z) }
                let offset = try zoneOffset(zone, at: t.seconds)
                return .int(field(CalendarFields(unixSeconds: t.seconds + offset), t.nanos))
            }
        }
    }
}

/// Seconds east of UTC for `zone` at the instant `seconds`: an IANA name (`"America/New_York"`,
/// `"UTC"`) or a fixed offset (`"+05:30"`, `"-08:00"`, `"05:30"`).
func zoneOffset(_ zone: String, at seconds: Int64) throws(CELError) -> Int64 {
    let u = Array(zone.utf8)
    var body = u[...]
    var sign: Int64 = 1
    if let f = body.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
        sign = f == UInt8(ascii: "-") ? -1 : 1
        body = body.dropFirst()
    }
    if body.count == 5, body[body.startIndex + 2] == UInt8(ascii: ":"),
        let h = Int64(String(decoding: body.prefix(2), as: UTF8.self)),
        let m = Int64(String(decoding: body.suffix(2), as: UTF8.self))
    {
        return sign * (h * 3600 + m * 60)
    }
    guard let tz = TimeZone(identifier: zone) else { throw CELError("unknown time zone \(quoteString(zone))") }
    return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
}
