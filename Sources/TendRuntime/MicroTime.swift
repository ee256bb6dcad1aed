import TendValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WallTime {
    /// The system's wall-clock time (`CLOCK_REALTIME`), to the microsecond.
    public static func now() -> WallTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return WallTime(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }

    /// The `metav1.MicroTime` form: `2006-01-02T15:04:05.000000Z` (UTC, six fractional digits).
    public var microTimeString: String {
        let (seconds, micros) = CivilTime.floorDivision(microsecondsSinceEpoch, 1_000_000)
        return CivilTime.formatRFC3339(seconds: seconds, fraction: micros, digits: 6)
    }

    /// Parses RFC 3339 as the API server writes `MicroTime` and `Time`: `YYYY-MM-DDTHH:MM:SS`, an
    /// optional fraction (any number of digits; beyond microseconds truncated), then `Z` or `±HH:MM`.
    public init?(parsing text: String) {
        guard let (seconds, nanoseconds) = CivilTime.parseRFC3339(text) else { return nil }
        self.init(microsecondsSinceEpoch: seconds * 1_000_000 + nanoseconds / 1_000)
    }
}
