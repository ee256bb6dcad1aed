import Testing
import TendRuntime
import TendValue

/// MicroTime and Lease objects, without a cluster.
struct LeaseEncodingTests {
    @Test func microTimeFormatsAndParses() {
        let t = WallTime(microsecondsSinceEpoch: 1_700_000_000_123_456)
        #expect(t.microTimeString == "2023-11-14T22:13:20.123456Z")
        #expect(WallTime(parsing: "2023-11-14T22:13:20.123456Z") == t)
        #expect(WallTime(microsecondsSinceEpoch: 0).microTimeString == "1970-01-01T00:00:00.000000Z")
        #expect(WallTime(microsecondsSinceEpoch: 951_782_400_000_001).microTimeString == "2000-02-29T00:00:00.000001Z")
        // Time (no fraction), offsets, nanosecond fractions truncated.
        #expect(WallTime(parsing: "2023-11-14T22:13:20Z")?.microsecondsSinceEpoch == 1_700_000_000_000_000)
        #expect(WallTime(parsing: "2023-11-14T23:13:20.5+01:00")?.microsecondsSinceEpoch == 1_700_000_000_500_000)
        #expect(WallTime(parsing: "2023-11-14T22:13:20.123456789Z") == t)
        for bad in ["", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zx"] {
            #expect(WallTime(parsing: bad) == nil, "\(bad)")
        }
        // Round trip over a range of instants, including before the epoch.
        for us in stride(from: Int64(-86_400_000_000 * 400), to: 86_400_000_000 * 365 * 200, by: 7_777_777_777_777) {
            let w = WallTime(microsecondsSinceEpoch: us)
            #expect(WallTime(parsing: w.microTimeString) == w, "\(w.microTimeString)")
        }
        let now = WallTime.now()
        #expect(now.microsecondsSinceEpoch > 1_700_000_000_000_000)
    }

    @Test func leaseObjectRoundTrip() throws {
        let record = LeaseRecord(
            holderIdentity: "tend-0", leaseDurationSeconds: 15, acquireTime: WallTime(microsecondsSinceEpoch: 1_700_000_000_000_000),
            renewTime: WallTime(microsecondsSinceEpoch: 1_700_000_002_000_001), leaseTransitions: 3)
        var object = LeaderElector.encode(record, namespace: "tend-system", name: "tend-shard-0", resourceVersion: "42")
        #expect(object["apiVersion"] == "coordination.k8s.io/v1" && object["kind"] == "Lease")
        #expect(object["metadata"]?["resourceVersion"] == "42" && object["metadata"]?["namespace"] == "tend-system")
        #expect(object["spec"]?["renewTime"] == "2023-11-14T22:13:22.000001Z")
        let decoded = try #require(LeaderElector.decode(object))
        #expect(decoded == ObservedLease(record: record, resourceVersion: "42"))
        // A released lease: empty holder.
        var released = record
        released.holderIdentity = nil
        let r = try #require(LeaderElector.decode(LeaderElector.encode(released, namespace: "n", name: "l", resourceVersion: "1")))
        #expect(!r.record.isHeld)
        // Without a resourceVersion there is no precondition to write with.
        object["metadata"]?["resourceVersion"] = nil
        #expect(LeaderElector.decode(object) == nil)
    }
}
