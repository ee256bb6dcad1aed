import Testing
import TendKube
@testable import TendRuntime
import TendValue

@Suite struct CoalescedChangesTests {
    func cm(_ name: String, _ v: Int64) -> Value { ["metadata": ["name": .string(name), "namespace": "ns"], "data": ["v": .int(v)]] }

    @Test func oneWaitingChangePerObjectInFirstPosition() {
        var q = CoalescedChanges()
        q.append(.added(cm("a", 1)))
        q.append(.added(cm("b", 1)))
        q.append(.updated(old: cm("a", 1), new: cm("a", 2)))
        q.append(.updated(old: cm("a", 2), new: cm("a", 3)))
        #expect(q.ordered == [.added(cm("a", 3)), .added(cm("b", 1))])
        #expect(q.count == 2)
    }

    @Test func mergeRules() {
        let o = cm("x", 1), m = cm("x", 2), n = cm("x", 3)
        #expect(CoalescedChanges.merge(.added(o), .deleted(m)) == nil)
        #expect(CoalescedChanges.merge(.updated(old: o, new: m), .updated(old: m, new: n)) == .updated(old: o, new: n))
        #expect(CoalescedChanges.merge(.updated(old: o, new: m), .deleted(m)) == .deleted(m))
        #expect(CoalescedChanges.merge(.deleted(o), .added(n)) == .updated(old: o, new: n))
        var q = CoalescedChanges()
        q.append(.added(o))
        q.append(.deleted(o))
        q.append(.added(cm("y", 1)))
        #expect(q.ordered == [.added(cm("y", 1))], "an object added and deleted while waiting is never handed out")
        q.append(.added(n))
        #expect(q.ordered == [.added(cm("y", 1)), .added(n)])
    }

    @Test func boundedByObjectsNotEvents() {
        var q = CoalescedChanges()
        for v in 0..<10_000 { q.append(.updated(old: cm("k\(v % 10)", Int64(v)), new: cm("k\(v % 10)", Int64(v + 1)))) }
        #expect(q.count == 10)
        #expect(q.ordered.count == 10)
    }
}
