import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus standard process metrics (`process_cpu_seconds_total`,
/// `process_resident_memory_bytes`, ...), as client_golang's process collector exposes them.
///
/// Contract: read from `/proc/self` (`stat`, `fd`, `limits`; `/proc/stat` for the boot time) when
/// ``exposition()`` is called, that is at each scrape, never on a timer. Linux only: elsewhere, or
/// when `/proc` cannot be read, the metrics are omitted (empty text), never reported as zero. A
/// value that cannot be read (an unlimited fd limit, say) is left out on its own.
///
/// The parsers are pure and take the files' text, so they are tested without `/proc`.
struct ProcessMetrics: Equatable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var startTimeSeconds: Double?

    /// Name, Prometheus type and help text (client_golang's), in exposition order.
    static let metrics: [(name: String, type: String, help: String)] = [
        ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds."),
        ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes."),
        ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."),
        ("process_open_fds", "gauge", "Number of open file descriptors."),
        ("process_max_fds", "gauge", "Maximum number of open file descriptors."),
        ("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds."),
    ]

    /// The value of the metric `name` (one of ``metrics``), if read.
    func value(_ name: String) -> Double? {
        switch name {
        case "process_cpu_seconds_total": cpuSeconds
        case "process_resident_memory_bytes": residentBytes
        case "process_virtual_memory_bytes": virtualBytes
        case "process_open_fds": openFDs
        case "process_max_fds": maxFDs
        case "process_start_time_seconds": startTimeSeconds
        default: nil
        }
    }

    /// The metrics in the Prometheus text format; empty where they cannot be read.
    static func exposition() -> String {
        guard let current = read() else { return "" }
        return current.text
    }

    /// The text form of the values that are present.
    var text: String {
        var out = ""
        for m in Self.metrics {
            guard let value = value(m.name) else { continue }
            out += "# HELP \(m.name) \(m.help)\n# TYPE \(m.name) \(m.type)\n\(m.name) \(Self.format(value))\n"
        }
        return out
    }

    /// Integral values without a fraction (`1048576`), others as Swift prints doubles.
    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// The current process's values; nil where `/proc` is not available (not Linux).
    static func read() -> ProcessMetrics? {
        #if os(Linux)
        guard let stat = contents("/proc/self/stat"), let fields = parseStat(stat) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var m = ProcessMetrics()
        if ticks > 0 { m.cpuSeconds = (fields.utime + fields.stime) / ticks }
        if page > 0 { m.residentBytes = fields.rssPages * page }
        m.virtualBytes = fields.vsize
        if ticks > 0, let boot = contents("/proc/stat").flatMap(parseBootTime) { m.startTimeSeconds = boot + fields.startTicks / ticks }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { m.openFDs = Double(fds.count) }
        m.maxFDs = contents("/proc/self/limits").flatMap(parseMaxOpenFiles)
        return m
        #else
        return nil
        #endif
    }

    private static func contents(_ path: String) -> String? {
        // /proc files report size 0: read to the end rather than trusting the size.
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The fields of `/proc/self/stat` used here (proc(5)): utime, stime and starttime in clock
    /// ticks, vsize in bytes, rss in pages. The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted after its last `)`.
    static func parseStat(_ text: String) -> (utime: Double, stime: Double, startTicks: Double, vsize: Double, rssPages: Double)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // rest[0] is field 3 (state): field n is rest[n - 3].
        func field(_ n: Int) -> Double? { rest.indices.contains(n - 3) ? Double(rest[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24) else { return nil }
        return (utime, stime, start, vsize, rss)
    }

    /// `btime` (boot time, seconds since the epoch) from `/proc/stat`.
    static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The soft limit of `Max open files` in `/proc/self/limits`; nil when unlimited or absent.
    static func parseMaxOpenFiles(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let columns = line.dropFirst("Max open files".count).split(separator: " ")
            return columns.first.flatMap { Double($0) }
        }
        return nil
    }
}
