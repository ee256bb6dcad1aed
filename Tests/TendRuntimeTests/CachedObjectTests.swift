import Testing
import TendFuzzing
import TendMeta
import TendValue

@testable import TendRuntime

/// The store keeps objects compact; what it hands back must be exactly what it was given.
@Suite struct CachedObjectTests {
    /// Exact: same members in the same order (JSON text compared, which `==` on objects is not),
    /// and the same cases (`.int` is not `.double`).
    func expectExact(_ object: Value, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let cached = CachedObject(object)
        #expect(cached.value == object, sourceLocation: sourceLocation)
        #expect(JSON.serialize(cached.value) == JSON.serialize(object), sourceLocation: sourceLocation)
        #expect(Self.sameCases(cached.value, object), "int/double kept apart", sourceLocation: sourceLocation)
        #expect(cached.metadata == (object["metadata"] ?? .null), sourceLocation: sourceLocation)
    }

    static func sameCases(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y && x.sign == y.sign
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { sameCases($0, $1) }
        case (.object(let x), .object(let y)):
            x.keys == y.keys && zip(x.values, y.values).allSatisfy { sameCases($0, $1) }
        default: a == b
        }
    }

    @Test func aConfigMapComesBackAsItWas() {
        let cm: Value = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "a", "namespace": "ns", "labels": ["app": "web"], "resourceVersion": "7"],
            "data": ["key": .string(String(repeating: "x", count: 100)), "short": "y"],
        ]
        expectExact(cm)
        #expect(CachedObject(cm).compactBytes > 0, "kept as JSON")
    }

    @Test func metadataKeepsItsPositionAmongTheMembers() {
        var first = Value.Object()
        first["metadata"] = ["name": "m"]
        first["spec"] = ["replicas": 3]
        first["apiVersion"] = "apps/v1"
        expectExact(Value.object(first))
        var last = Value.Object()
        last["spec"] = ["x": [1, 2, 3]]
        last["status"] = ["phase": "Ready"]
        last["metadata"] = ["name": "m"]
        expectExact(Value.object(last))
    }

    @Test func numbersKeepTheirKind() {
        expectExact([
            "metadata": ["name": "n"],
            "spec": ["int": 1000, "integral": .double(1000), "half": 0.5, "negzero": .double(-0.0), "huge": 1e300, "tiny": 5e-324,
                     "min": .int(Int64.min), "max": .int(Int64.max), "big": .double(9_007_199_254_740_993)],
        ])
    }

    @Test func stringsNeedingEscapesAndUnicodeRoundTrip() {
        expectExact([
            "metadata": ["name": "s", "annotations": ["q": "say \"hi\"\\n", "ctl": "\u{01}\u{1F}\t\n\r"]],
            "data": ["é": "😀 ünïcödé", "": "empty key", "nul": "a\u{0}b"],
        ])
    }

    @Test func objectsWithoutMetadataAndNonObjectsAreKeptDecoded() {
        for value: Value in [.null, 42, "text", [1, 2], ["spec": ["a": 1]]] {
            let cached = CachedObject(value)
            #expect(cached.value == value)
            #expect(cached.metadata == .null)
            #expect(cached.compactBytes == 0)
        }
    }

    @Test func whatJSONCannotCarryIsKeptDecoded() {
        let infinite: Value = ["metadata": ["name": "i"], "spec": ["x": .double(.infinity)]]
        #expect(CachedObject(infinite).compactBytes == 0)
        #expect(CachedObject(infinite).value["spec"]?["x"] == .double(.infinity))
        var deep: Value = "leaf"
        for _ in 0..<(JSON.maximumDepth + 5) { deep = ["d": deep] }
        let object: Value = ["metadata": ["name": "deep"], "spec": deep]
        #expect(CachedObject(object).compactBytes == 0)
        #expect(CachedObject(object).value == object)
    }

    @Test func randomObjectsRoundTripExactly() {
        var rng = SplitMix64(seed: 0x7E4D)
        for n in 0..<500 {
            var o = Value.Object()
            let position = Int.random(in: 0...3, using: &rng)
            for i in 0..<4 {
                if i == position { o["metadata"] = ["name": .string("o\(n)"), "labels": ["k": "v"]] }
                o["f\(i)"] = RandomValues.value(&rng, depth: 0)
            }
            expectExact(Value.object(o))
        }
    }

    @Test func equalityIsThatOfTheObject() {
        let a: Value = ["metadata": ["name": "a"], "data": ["x": "1"]]
        var reordered = Value.Object()
        reordered["data"] = ["x": "1"]
        reordered["metadata"] = ["name": "a"]
        #expect(CachedObject(a) == CachedObject(a))
        #expect(CachedObject(a) == CachedObject(.object(reordered)))
        #expect(CachedObject(a) != CachedObject(["metadata": ["name": "a"], "data": ["x": "2"]]))
        #expect(Set([CachedObject(a), CachedObject(.object(reordered))]).count == 1)
    }
}
