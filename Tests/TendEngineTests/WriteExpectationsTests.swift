import Testing
@testable import TendEngine
import TendMeta
import TendValue

/// Skipping re-applies the cache has not shown yet, and only those.
@Suite struct WriteExpectationsTests {
    let ref = ObjectReference(kind: GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, key: ObjectKey(namespace: "ns", name: "c"))
    let desired: Value = ["apiVersion": "v1", "kind": "ConfigMap", "data": ["k": "v"]]

    func cached(_ rv: String) -> Value { ["metadata": ["resourceVersion": .string(rv)]] }

    @Test func aRepeatOfAnApplyTheCacheHasNotShownIsPendingUntilAnEventArrives() {
        var e = WriteExpectations()
        e.applied(desired, to: ref, cached: nil)  // a create: absent from the cache
        #expect(e.isPending(desired, to: ref, cached: nil), "stale cache: the same create again is skipped")
        #expect(!e.isPending(["data": ["k": "other"]], to: ref, cached: nil), "different content is applied")
        e.observed(ref)
        #expect(!e.isPending(desired, to: ref, cached: nil), "after an event (say the object was then deleted) it is created again")
        #expect(e.count == 0)
    }

    @Test func anUpdateIsPendingOnlyWhileTheCacheHoldsTheVersionItWasMadeAgainst() {
        var e = WriteExpectations()
        e.applied(desired, to: ref, cached: cached("5"))
        #expect(e.isPending(desired, to: ref, cached: cached("5")))
        #expect(!e.isPending(desired, to: ref, cached: cached("6")), "the cache moved on: plan from what it shows")
    }
}
