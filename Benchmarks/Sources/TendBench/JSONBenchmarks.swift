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

    /// The Pod events with realistic `metadata.managedFields` (a ReplicaSet's Pod: two managers), as
    /// the API server sends them to an informer.
    static var podEventsWithManagedFields: [[UInt8]] {
        (0..<2_000).map { n in JSON.serializeBytes(["type": "MODIFIED", "object": Fixtures.podWithManagedFields(n)]) }
    }

    /// The ConfigMap events with their creator's managedFields.
    static var configMapEventsWithManagedFields: [[UInt8]] {
        (0..<5_000).map { n in JSON.serializeBytes(["type": "ADDED", "object": Fixtures.configMapWithManagedFields(n)]) }
    }

    /// Writes the events the decode benchmark reads to `DIR/pods.jsonl`, `DIR/configmaps.jsonl` and
    /// their `-mf` variants with managedFields, for the client-go decode peer (`Benchmarks/peer-decode`)
    /// to decode the same bytes.
    static func writeEvents(to directory: String) throws {
        let sets = [
            ("pods", podEvents), ("configmaps", configMapEvents),
            ("pods-mf", podEventsWithManagedFields), ("configmaps-mf", configMapEventsWithManagedFields),
        ]
        for (name, lines) in sets {
            var bytes: [UInt8] = []
            for line in lines { bytes += line + [0x0A] }
            let path = directory + "/" + name + ".jsonl"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            print("wrote \(path) events=\(lines.count) bytes=\(bytes.count)")
        }
    }

    /// Decodes `lines` repeatedly for `seconds` and prints the best pass.
    static func measure(_ name: String, _ lines: [[UInt8]], seconds: Double, _ parse: ([UInt8]) -> Value?) {
        let totalBytes = lines.reduce(0) { $0 + $1.count }
        var sink = 0
        let best = Measure.best(seconds: seconds) {
            for line in lines {
                if case .object(let o)? = parse(line) { sink &+= o.count }
            }
        }
        precondition(sink > 0)
        let mbps = Double(totalBytes) / best / 1e6
        let nsPerEvent = best * 1e9 / Double(lines.count)
        print("\(name) mb_per_s=\(Int(mbps)) events_per_s=\(Int(Double(lines.count) / best)) ns_per_event=\(Int(nsPerEvent)) event_bytes=\(totalBytes / lines.count)")
    }

    static func decodeWatchEvents() {
        let pods = podEvents, podsMF = podEventsWithManagedFields
        let configMaps = configMapEvents, configMapsMF = configMapEventsWithManagedFields
        measure("json-decode-watch-pods", pods, seconds: 3) { try? JSON.parse($0) }
        measure("json-decode-watch-configmaps", configMaps, seconds: 2) { try? JSON.parse($0) }
        measure("json-decode-watch-pods-mf", podsMF, seconds: 3) { try? JSON.parse($0) }
        measure("json-decode-watch-configmaps-mf", configMapsMF, seconds: 2) { try? JSON.parse($0) }
        measure("json-decode-watch-pods-mf-skipped", podsMF, seconds: 3) {
            try? JSON.parse($0, options: .skippingManagedFields(of: .watchEvent))
        }
        measure("json-decode-watch-configmaps-mf-skipped", configMapsMF, seconds: 2) {
            try? JSON.parse($0, options: .skippingManagedFields(of: .watchEvent))
        }
        func share(_ with: [[UInt8]], _ without: [[UInt8]]) -> Int {
            let a = with.reduce(0) { $0 + $1.count }, b = without.reduce(0) { $0 + $1.count }
            return (a - b) * 100 / a
        }
        print("json-decode-managed-fields-share pods_percent=\(share(podsMF, pods)) configmaps_percent=\(share(configMapsMF, configMaps))")
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
