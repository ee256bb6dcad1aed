import Foundation
import TendValue

enum JSONBenchmarks {
    /// Decoding of watch events (`{"type":"ADDED","object":{...}}` lines) into ``Value``, one core.
    /// 2,000 Pod events of about 5 KB, as a watch stream carries them (one compact JSON line each).
    static var podEvents: [[UInt8]] {
        (0..<2_000).map { n in JSON.serializeBytes(["type": "MODIFIED", "object": Fixtures.pod(n)]) }
    }

    /// 5,000 ConfigMap events of about 1 KB.
    static var configMapEvents: [[UInt8]] {
        (0..<5_000).map { n in JSON.serializeBytes(["type": "ADDED", "object": Fixtures.configMap(n)]) }
    }

    /// Writes the events the decode benchmark reads to `DIR/pods.jsonl` and `DIR/configmaps.jsonl`,
    /// for the client-go decode peer (`Benchmarks/peer-decode`) to decode the same bytes.
    static func writeEvents(to directory: String) throws {
        for (name, lines) in [("pods", podEvents), ("configmaps", configMapEvents)] {
            var bytes: [UInt8] = []
            for line in lines { bytes += line + [0x0A] }
            let path = directory + "/" + name + ".jsonl"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            print("wrote \(path) events=\(lines.count) bytes=\(bytes.count)")
        }
    }

    static func decodeWatchEvents() {
        let lines = podEvents
        let totalBytes = lines.reduce(0) { $0 + $1.count }
        var sink = 0
        let seconds = Measure.best(seconds: 3) {
            for line in lines {
                if case .object(let o)? = try? JSON.parse(line) { sink &+= o.count }
            }
        }
        precondition(sink > 0)
        let mbps = Double(totalBytes) / seconds / 1e6
        let eventsPerSecond = Double(lines.count) / seconds
        print("json-decode-watch-pods mb_per_s=\(Int(mbps)) events_per_s=\(Int(eventsPerSecond)) event_bytes=\(totalBytes / lines.count)")

        let cmLines = configMapEvents
        let cmBytes = cmLines.reduce(0) { $0 + $1.count }
        let cmSeconds = Measure.best(seconds: 2) {
            for line in cmLines {
                if case .object(let o)? = try? JSON.parse(line) { sink &+= o.count }
            }
        }
        print("json-decode-watch-configmaps mb_per_s=\(Int(Double(cmBytes) / cmSeconds / 1e6)) events_per_s=\(Int(Double(cmLines.count) / cmSeconds))")
    }

    static func encode() {
        let pods = (0..<2_000).map(Fixtures.pod)
        var bytes = 0
        let seconds = Measure.best(seconds: 2) {
            bytes = 0
            for p in pods { bytes += JSON.serializeBytes(p).count }
        }
        print("json-encode-pods mb_per_s=\(Int(Double(bytes) / seconds / 1e6))")
    }
}
