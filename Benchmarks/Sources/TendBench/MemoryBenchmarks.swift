import TendValue

enum MemoryBenchmarks {
    /// Heap bytes per object held in memory after decoding from JSON, the way a cache holds them.
    static func bytesPerObject() {
        measure(kind: "configmap-1k", count: 10_000, make: Fixtures.configMap)
        measure(kind: "pod-5k", count: 10_000, make: Fixtures.pod)
    }

    private static func measure(kind: String, count: Int, make: (Int) -> Value) {
        let encoded = (0..<count).map { JSON.serializeBytes(make($0)) }
        let jsonBytes = encoded.reduce(0) { $0 + $1.count } / count
        var held: [Value] = []
        held.reserveCapacity(count)
        let before = Measure.heapBytes()
        for bytes in encoded {
            if let v = try? JSON.parse(bytes) { held.append(v) }
        }
        let after = Measure.heapBytes()
        precondition(held.count == count)
        let perObject = (after - before) / count
        print("memory-\(kind) json_bytes=\(jsonBytes) heap_bytes_per_object=\(perObject) ratio=\(String(format2(Double(perObject) / Double(jsonBytes))))")
        withExtendedLifetime(held) {}
    }

    private static func format2(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return String(r)
    }
}
