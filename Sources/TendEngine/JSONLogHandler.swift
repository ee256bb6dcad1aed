import Foundation
public import Logging
import TendValue

/// A swift-log handler writing one JSON object per line, for log collectors (`tend run --log-format
/// json`), in the shape controller-runtime's zap logger gives Go controllers:
///
/// ```json
/// {"ts":"2026-11-29T07:20:01.123Z","level":"info","logger":"tend","msg":"applied child","source":"TendEngine","child":"ConfigMap.v1 ns/web","rule":"web"}
/// ```
///
/// `ts` (UTC, milliseconds), `level`, `logger` (the logger's label), `msg` and `source` come first;
/// then the metadata (handler, provider, then call site, later ones winning) with sorted keys, nested
/// lists and dictionaries as JSON arrays and objects. Metadata keys that collide with the fixed ones
/// are prefixed with `meta.`. Each line is written with a single `write(2)`, so lines from concurrent
/// tasks never interleave. What is logged is the engine's own metadata (kinds, names, messages),
/// never object bodies or credentials.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    /// - Parameter output: receives each line, newline included (default: standard error).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        output(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", source: event.source, metadata: merged))
    }

    static let fixedKeys: Set<String> = ["ts", "level", "logger", "msg", "source"]

    /// One log line, newline included.
    static func line(time: Date, level: Logger.Level, label: String, message: String, source: String, metadata: Logger.Metadata) -> String {
        var object = Value.Object()
        object["ts"] = .string(timestamp(time))
        object["level"] = .string(level.rawValue)
        object["logger"] = .string(label)
        object["msg"] = .string(message)
        object["source"] = .string(source)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            object[fixedKeys.contains(key) ? "meta." + key : key] = json(value)
        }
        return JSON.serialize(.object(object)) + "\n"
    }

    static func json(_ value: Logger.Metadata.Value) -> Value {
        switch value {
        case .string(let s): .string(s)
        case .stringConvertible(let c): .string(c.description)
        case .array(let a): .array(a.map(json))
        case .dictionary(let d): .object(Value.Object(d.keys.sorted().map { ($0, json(d[$0]!)) }))
        }
    }

    /// `2026-11-29T07:20:01.123Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        let millis = min(999, Int((seconds - Double(whole)) * 1000))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// Writes `line` to standard error in one `write(2)` (retrying a partial write).
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            offset += n
        }
    }
}
