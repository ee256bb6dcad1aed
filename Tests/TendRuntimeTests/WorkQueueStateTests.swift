import TendRuntime
import Testing

@Suite("WorkQueueState (pure)")
struct WorkQueueStateTests {
    typealias Q = WorkQueueState<String>

    @Test func duplicateAddsQueueOnce() {
        var q = Q()
        #expect(q.add("a") == true)
        #expect(q.add("a") == false)
        #expect(q.add("b") == true)
        #expect(q.add("a") == false)
        #expect(q.count == 2)
        #expect(q.readyKeys == ["a", "b"])
    }

    @Test func fifoOrder() {
        var q = Q()
        for k in ["c", "a", "b", "a", "d"] { q.add(k) }
        var out: [String] = []
        while let k = q.next() {
            out.append(k)
            q.done(k)
        }
        #expect(out == ["c", "a", "b", "d"])
    }

    @Test func stingyWhileProcessing() {
        var q = Q()
        q.add("a")
        #expect(q.next() == "a")
        #expect(q.isProcessing("a"))
        // Added while processing: marked dirty, not handed to a second worker.
        #expect(q.add("a") == false)
        #expect(q.add("a") == false)
        #expect(q.count == 0)
        #expect(q.next() == nil)
        // After done it is queued again, once.
        #expect(q.done("a") == true)
        #expect(q.count == 1)
        #expect(q.next() == "a")
        #expect(q.done("a") == false)
        #expect(q.count == 0)
        #expect(q.processingCount == 0)
    }

    @Test func reAddedKeyGoesToTheBack() {
        var q = Q()
        q.add("a")
        let a = q.next()!
        q.add("b")
        q.add("a")
        q.done(a)
        #expect(q.readyKeys == ["b", "a"])
    }

    @Test func doneForUnknownKeyIsHarmless() {
        var q = Q()
        #expect(q.done("x") == false)
        #expect(q.count == 0)
    }

    @Test func delayedAddWaitsForDeadline() {
        var q = Q()
        #expect(q.add("a", after: .seconds(5), now: .zero) == .scheduled(isEarliest: true))
        #expect(q.count == 0)
        #expect(q.delayedCount == 1)
        #expect(q.nextDeadline == .at(.seconds(5)))
        #expect(q.promote(now: .at(.ms(4999))) == 0)
        #expect(q.next() == nil)
        #expect(q.promote(now: .at(.seconds(5))) == 1)
        #expect(q.next() == "a")
        #expect(q.delayedCount == 0)
    }

    @Test func earlierDeadlineWinsForDuplicates() {
        var q = Q()
        #expect(q.add("a", after: .seconds(10), now: .zero) == .scheduled(isEarliest: true))
        #expect(q.add("a", after: .seconds(20), now: .zero) == .ignored)
        #expect(q.deadline(of: "a") == .at(.seconds(10)))
        #expect(q.add("a", after: .seconds(3), now: .zero) == .scheduled(isEarliest: true))
        #expect(q.deadline(of: "a") == .at(.seconds(3)))
        #expect(q.delayedCount == 1)
        #expect(q.promote(now: .at(.seconds(3))) == 1)
        // The stale 10 s entry does not fire again.
        q.done(q.next()!)
        #expect(q.promote(now: .at(.seconds(30))) == 0)
        #expect(q.count == 0)
    }

    @Test func delayedKeysPromoteInDeadlineOrder() {
        var q = Q()
        _ = q.add("late", after: .seconds(3), now: .zero)
        _ = q.add("early", after: .seconds(1), now: .zero)
        #expect(q.add("mid", after: .seconds(2), now: .zero) == .scheduled(isEarliest: false))
        _ = q.add("tie", after: .seconds(2), now: .zero)
        #expect(q.promote(now: .at(.seconds(10))) == 4)
        #expect(q.readyKeys == ["early", "mid", "tie", "late"])
    }

    @Test func nonPositiveDelayIsAnImmediateAdd() {
        var q = Q()
        #expect(q.add("a", after: .zero, now: .zero) == .immediate(appended: true))
        #expect(q.add("a", after: .seconds(-1), now: .zero) == .immediate(appended: false))
        #expect(q.count == 1)
    }

    @Test func promotedKeyIsDeduplicatedAndStingy() {
        var q = Q()
        q.add("a")
        _ = q.add("a", after: .seconds(1), now: .zero)
        #expect(q.promote(now: .at(.seconds(1))) == 0)  // already queued
        #expect(q.count == 1)
        let a = q.next()!
        _ = q.add("a", after: .seconds(1), now: .at(.seconds(1)))
        #expect(q.promote(now: .at(.seconds(2))) == 0)  // processing: dirty only
        #expect(q.next() == nil)
        #expect(q.done(a) == true)
        #expect(q.next() == "a")
    }

    @Test func shutDownStopsHandingOutAndIgnoresAdds() {
        var q = Q()
        q.add("a")
        q.add("b")
        _ = q.add("c", after: .seconds(1), now: .zero)
        let a = q.next()!
        q.shutDown()
        #expect(q.isShuttingDown)
        #expect(q.next() == nil)
        #expect(q.add("d") == false)
        #expect(q.add("e", after: .seconds(1), now: .zero) == .ignored)
        #expect(q.promote(now: .at(.seconds(5))) == 0)
        #expect(!q.isDrained)
        #expect(q.processingCount == 1)
        q.add(a)  // re-add of an in-flight key after shutdown: ignored
        #expect(q.done(a) == false)
        #expect(q.isDrained)
        #expect(q.count == 0)
    }

    @Test func manyKeysRoundTripWithCompaction() {
        var q = WorkQueueState<Int>()
        for i in 0..<5000 { q.add(i) }
        for i in 0..<2500 {
            #expect(q.next() == i)
            q.done(i)
        }
        for i in 5000..<6000 { q.add(i) }
        var expected = 2500
        while let k = q.next() {
            #expect(k == expected)
            expected += 1
            q.done(k)
        }
        #expect(expected == 6000)
    }

    /// Random interleavings of add/next/done over four keys, checked step by step against a reference model.
    @Test func randomisedAgainstModel() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            var q = WorkQueueState<Int>()
            var queued: [Int] = []
            var processing: Set<Int> = []
            var dirty: Set<Int> = []
            for _ in 0..<200 {
                let key = Int.random(in: 0..<4, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    q.add(key)
                    if !dirty.contains(key) {
                        dirty.insert(key)
                        if !processing.contains(key) { queued.append(key) }
                    }
                case 1:
                    let got = q.next()
                    if queued.isEmpty {
                        #expect(got == nil)
                    } else {
                        let k = queued.removeFirst()
                        #expect(got == k)
                        processing.insert(k)
                        dirty.remove(k)
                    }
                default:
                    guard let k = processing.randomElement(using: &rng) else { continue }
                    q.done(k)
                    processing.remove(k)
                    if dirty.contains(k) { queued.append(k) }
                }
                #expect(q.readyKeys == queued)
                #expect(q.processingCount == processing.count)
                #expect(Set(q.readyKeys).isDisjoint(with: processing))
            }
        }
    }
}
