import TendRuntime
import TendValue

/// `tend-bench cached-object`: what the store's compact form (``CachedObject``) costs and saves, per
/// object: heap bytes held (against the decoded `Value`), and the time to make one from a decoded
/// object (on every store write) and to decode one (on every `get`/`list` of it).
enum CachedObjectBenchmarks {
    static func run() {
        measure(kind: "configmap-1k", make: Fixtures.configMap)
        measure(kind: "pod-5k", make: Fixtures.pod)
    }

    private static func measure(kind: String, make: (Int) -> Value) {
        let count = 10_000
        let encoded = (0..<count).map { JSON.serializeBytes(make($0)) }
        var decoded: [Value] = []
        decoded.reserveCapacity(count)
        var before = Measure.heapBytes()
        for bytes in encoded { decoded.append(try! JSON.parse(bytes)) }
        let decodedBytes = (Measure.heapBytes() - before) / count
        var cached: [CachedObject] = []
        cached.reserveCapacity(count)
        before = Measure.heapBytes()
        for object in decoded { cached.append(CachedObject(object)) }
        let cachedBytes = (Measure.heapBytes() - before) / count

        let sample = Array(decoded.prefix(1000))
        let compacting = Measure.best { for object in sample { _ = CachedObject(object) } } / Double(sample.count)
        let samples = Array(cached.prefix(1000))
        let decoding = Measure.best { for object in samples { _ = object.value } } / Double(samples.count)
        let json = encoded.reduce(0) { $0 + $1.count } / count
        print("cached-object-\(kind) json_bytes=\(json) decoded_heap_bytes=\(decodedBytes) cached_heap_bytes=\(cachedBytes) compact_ns=\(Int(compacting * 1e9)) decode_ns=\(Int(decoding * 1e9))")
        withExtendedLifetime((decoded, cached)) {}
    }
}
