import Foundation
import TendFuzzing
@testable import TendMeta
import Testing

/// RFC 3339 times, checked against Foundation's `ISO8601DateFormatter` (what Tend used before) on
/// random instants, and on the edges of the calendar and of the syntax.
@Suite struct RFC3339Tests {
    static func formatter(fractional: Bool) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }

    @Test func formatsAsFoundationDoes() {
        let plain = Self.formatter(fractional: false)
        var rng = FuzzRNG(seed: 3339)
        // 1900 to 2400, leap days and century years included by the spread.
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -2_208_988_800...13_569_465_600, using: &rng)
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(RFC3339.format(date) == plain.string(from: date), "\(seconds)")
            // A fraction is cut, as Kubernetes' own times are (Foundation rounds to the nearest second).
            #expect(RFC3339.format(date.addingTimeInterval(Double.random(in: 0..<1, using: &rng))) == plain.string(from: date), "\(seconds)")
        }
    }

    @Test func millisecondsAreTruncatedAndRoundTrip() {
        var rng = FuzzRNG(seed: 17)
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: 0...13_569_465_600_000, using: &rng)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.0004)
            let text = RFC3339.formatMilliseconds(date)
            let parsed = try? #require(RFC3339.parse(text))
            #expect(Int64(((parsed?.timeIntervalSince1970 ?? 0) * 1000).rounded()) == milliseconds, "\(text)")
            #expect(text.count == (milliseconds % 1000 == 0 ? 20 : 24), "\(text)")
        }
        #expect(RFC3339.formatMilliseconds(Date(timeIntervalSince1970: 1.9999)) == "1970-01-01T00:00:01.999Z")
        #expect(RFC3339.formatMilliseconds(Date(timeIntervalSince1970: 2)) == "1970-01-01T00:00:02Z")
        #expect(RFC3339.formatMilliseconds(Date(timeIntervalSince1970: 2.05)) == "1970-01-01T00:00:02.050Z")
    }

    @Test func parsesAsFoundationDoes() {
        let plain = Self.formatter(fractional: false), fractional = Self.formatter(fractional: true)
        var rng = FuzzRNG(seed: 99)
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: 0...13_569_465_600, using: &rng)
            let date = Date(timeIntervalSince1970: Double(seconds))
            var text = plain.string(from: date)
            let hours = Int.random(in: -12...14, using: &rng), minutes = [0, 30, 45].randomElement(using: &rng)!
            if hours != 0 || minutes != 0 {
                text.removeLast()
                text += (hours < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(hours), minutes)
            }
            #expect(RFC3339.parse(text) == plain.date(from: text), "\(text)")
            let withFraction = fractional.string(from: date.addingTimeInterval(0.25))
            #expect(RFC3339.parse(withFraction) == fractional.date(from: withFraction), "\(withFraction)")
        }
    }

    @Test(arguments: [
        ("2024-02-29T23:59:59Z", 1_709_251_199.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2026-11-29T01:00:00+01:00", 1_795_910_400.0),
        ("2026-11-29T01:00:00-02:30", 1_795_923_000.0),
        ("2026-11-29t01:00:00z", 1_795_914_000.0),
        ("2026-11-29T01:00:00.5Z", 1_795_914_000.5),
        ("2026-11-29T01:00:00.123456789Z", 1_795_914_000.123456789),
    ])
    func edges(_ text: String, _ seconds: Double) throws {
        let parsed = try #require(RFC3339.parse(text), "\(text)")
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 1e-6, "\(text): \(parsed.timeIntervalSince1970)")
    }

    @Test(arguments: [
        "", "2026-11-29", "2026-11-29T01:00:00", "2026-11-29 01:00:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T01:60:00Z", "2026-11-29T01:00:60Z",
        "2026-11-29T01:00:00.Z", "2026-11-29T01:00:00+0100", "2026-11-29T01:00:00Z ", "26-11-29T01:00:00Z", "2026-11-29T01:00:00+24:00",
    ])
    func refusals(_ text: String) {
        #expect(RFC3339.parse(text) == nil, "\(text)")
    }
}
