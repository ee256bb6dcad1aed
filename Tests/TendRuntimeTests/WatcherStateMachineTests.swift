import TendRuntime
import TendValue
import Testing

/// Applies the machine's store actions to a real Store and records everything else.
struct Harness {
    var machine: WatcherStateMachine
    let store = Store()
    var now = RuntimeInstant.zero
    var requests: [WatcherStateMachine.Action] = []
    var changes: [StoreChange] = []

    init(_ config: WatcherStateMachine.Configuration = .init()) {
        machine = WatcherStateMachine(config, random: SplitMix64(seed: 1))
    }

    mutating func start() { perform(machine.start()) }

    mutating func send(_ input: WatcherStateMachine.Input) { perform(machine.handle(input, now: now)) }

    mutating func perform(_ actions: [WatcherStateMachine.Action]) {
        for action in actions {
            switch action {
            case .beginReplace: store.beginReplace()
            case .stage(let items): try! store.stage(items)
            case .commitReplace: changes += try! store.commitReplace()
            case .abortReplace: store.abortReplace()
            case .apply(let e):
                if let c = e.kind == .deleted ? store.delete(e.object) : store.upsert(e.object) { changes.append(c) }
            case .startList, .startWatch, .wait: requests.append(action)
            }
        }
    }

    mutating func takeRequests() -> [WatcherStateMachine.Action] {
        defer { requests = [] }
        return requests
    }

    mutating func takeChanges() -> [StoreChange] {
        defer { changes = [] }
        return changes
    }
}

func list(_ cont: String? = nil, rv: String? = nil) -> WatcherStateMachine.Action {
    .startList(.init(limit: 2500, continueToken: cont, resourceVersion: rv))
}

@Suite("WatcherStateMachine")
struct WatcherStateMachineTests {
    @Test func pagedListThenWatchFromTheListVersion() {
        var h = Harness()
        h.start()
        #expect(h.takeRequests() == [list()])
        #expect(h.machine.state == .listing(continueToken: nil))
        // Page 1 carries items with higher versions than the list itself: they must not be used.
        h.send(.listPage(items: [object("a", rv: "90"), object("b", rv: "95")], continueToken: "c1", resourceVersion: "80"))
        #expect(h.takeRequests() == [list("c1")])
        #expect(h.store.count == 0)  // staged, not visible before the commit
        #expect(!h.machine.hasSynced)
        h.send(.listPage(items: [object("c", rv: "97")], continueToken: "", resourceVersion: "100"))
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "100")])
        #expect(h.machine.state == .watching(resourceVersion: "100"))
        #expect(h.machine.hasSynced)
        #expect(names(h.store.list()) == ["a", "b", "c"])
        #expect(h.takeChanges().map(\.key.name) == ["a", "b", "c"])
    }

    @Test func anySemanticsOnlyOnTheFirstPage() {
        var config = WatcherStateMachine.Configuration()
        config.initialList = .any
        config.pageSize = 2
        var h = Harness(config)
        h.start()
        #expect(h.takeRequests() == [.startList(.init(limit: 2, continueToken: nil, resourceVersion: "0"))])
        h.send(.listPage(items: [], continueToken: "t", resourceVersion: "5"))
        #expect(h.takeRequests() == [.startList(.init(limit: 2, continueToken: "t", resourceVersion: nil))])
    }

    @Test func eventsAndBookmarksAdvanceTheVersion() {
        var h = Harness()
        h.start()
        h.send(.listPage(items: [object("a", rv: "10")], continueToken: nil, resourceVersion: "10"))
        _ = h.takeRequests()
        _ = h.takeChanges()
        h.send(.watchEvent(.init(.added, object("b", rv: "11"))))
        h.send(.watchEvent(.init(.modified, object("a", rv: "12"))))
        #expect(h.machine.resourceVersion == "12")
        h.send(.watchEvent(.init(.bookmark, ["metadata": ["resourceVersion": "20"]])))
        #expect(h.machine.resourceVersion == "20")
        #expect(h.machine.state == .watching(resourceVersion: "20"))
        h.send(.watchEvent(.init(.deleted, object("b", rv: "21"))))
        let changes = h.takeChanges()
        #expect(changes.count == 3)
        #expect(changes[0] == .added(object("b", rv: "11")))
        #expect(changes[2] == .deleted(object("b", rv: "11")))
        #expect(names(h.store.list()) == ["a"])
        #expect(h.takeRequests() == [])  // no I/O requests while the watch streams
    }

    @Test func closedWatchResumesFromTheLastVersionSeen() {
        var h = Harness()
        h.start()
        h.send(.listPage(items: [object("a", rv: "999")], continueToken: nil, resourceVersion: "10"))
        h.send(.watchEvent(.init(.bookmark, ["metadata": ["resourceVersion": "15"]])))
        _ = h.takeRequests()
        h.send(.watchClosed)
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "15")])
        h.send(.watchEvent(.init(.modified, object("a", rv: "16"))))
        h.send(.watchClosed)
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "16")])
        #expect(!h.store.isReplacing)
    }

    @Test func staleEventsAreIgnoredWhenVersionsAreNumeric() {
        var h = Harness()
        h.start()
        h.send(.listPage(items: [object("a", rv: "10")], continueToken: nil, resourceVersion: "10"))
        _ = h.takeChanges()
        h.send(.watchEvent(.init(.modified, object("a", rv: "9"))))
        h.send(.watchEvent(.init(.modified, object("a", rv: "10"))))
        #expect(h.takeChanges() == [])
        #expect(h.machine.resourceVersion == "10")
        // Opaque (non-numeric) versions are never compared.
        h.send(.watchEvent(.init(.modified, object("a", rv: "opaque-1"))))
        #expect(h.takeChanges().count == 1)
        #expect(h.machine.resourceVersion == "opaque-1")
    }

    @Test func goneRelistsAndEmitsTheDelta() {
        var h = Harness()
        h.start()
        h.send(
            .listPage(
                items: [object("keep", rv: "1"), object("change", rv: "2"), object("vanish", rv: "3")],
                continueToken: nil, resourceVersion: "3"))
        _ = h.takeRequests()
        _ = h.takeChanges()
        h.send(.watchFailed(.expired()))
        #expect(h.takeRequests() == [list()])  // consistent read, not "0"
        #expect(h.store.count == 3)  // cache still served during the relist
        h.send(.listPage(items: [object("keep", rv: "1"), object("change", rv: "7")], continueToken: "n", resourceVersion: "9"))
        h.send(.listPage(items: [object("new", rv: "8")], continueToken: nil, resourceVersion: "9"))
        #expect(h.takeRequests() == [list("n"), .startWatch(resourceVersion: "9")])
        let delta = h.takeChanges()
        #expect(delta.count == 3)
        #expect(delta[0] == .deleted(object("vanish", rv: "3")))
        #expect(delta[1] == .updated(old: object("change", rv: "2"), new: object("change", rv: "7")))
        #expect(delta[2] == .added(object("new", rv: "8")))
        #expect(names(h.store.list()) == ["change", "keep", "new"])
    }

    @Test func expiredContinueTokenRestartsTheListFromScratch() {
        var h = Harness()
        h.start()
        h.send(.listPage(items: [object("a")], continueToken: "c1", resourceVersion: "5"))
        _ = h.takeRequests()
        h.send(.listFailed(.expired("continue token expired")))
        #expect(h.takeRequests() == [list()])
        #expect(h.store.isReplacing)  // a fresh staging area: the stale page was discarded
        h.send(.listPage(items: [object("b")], continueToken: nil, resourceVersion: "6"))
        #expect(names(h.store.list()) == ["b"])
    }

    /// A list that cannot finish between two compactions would start over forever: after the
    /// second expired token in a row it is read in one response, and the next list is paged again.
    @Test func aListWhoseTokensKeepExpiringIsReadUnpagedAndTheNextOnePagedAgain() {
        var h = Harness()
        h.start()
        #expect(h.takeRequests() == [list()])
        h.send(.listPage(items: [object("a")], continueToken: "c1", resourceVersion: "5"))
        _ = h.takeRequests()
        h.send(.listFailed(.expired("continue token expired")))
        #expect(h.takeRequests() == [list()], "one expiry: paged again")
        h.send(.listPage(items: [object("a")], continueToken: "c2", resourceVersion: "7"))
        _ = h.takeRequests()
        h.send(.listFailed(.expired("continue token expired")))
        #expect(h.takeRequests() == [.startList(.init(limit: 0, continueToken: nil, resourceVersion: nil))], "two in a row: one response")
        h.send(.listPage(items: [object("a"), object("b")], continueToken: nil, resourceVersion: "9"))
        #expect(names(h.store.list()) == ["a", "b"])
        _ = h.takeRequests()
        // The watch expires later: the relist is paged again.
        h.send(.watchFailed(.expired("too old resource version")))
        #expect(h.takeRequests() == [list()])
    }

    @Test func anExpiredFirstPageDoesNotCountAsAnExpiredToken() {
        var h = Harness()
        h.start()
        _ = h.takeRequests()
        for _ in 0..<3 {
            h.send(.listFailed(.expired("resource version too old")))
            #expect(h.takeRequests() == [list()])
        }
    }

    @Test func errorsBackOffGrowAndReset() {
        var config = WatcherStateMachine.Configuration()
        config.backoff.jitter = 0
        var h = Harness(config)
        h.start()
        _ = h.takeRequests()
        // A failing first page: retried (same page) after 0.8 s, 1.6 s, 3.2 s.
        for expected in [800, 1600, 3200] {
            h.send(.listFailed(.transient("connection refused")))
            #expect(h.takeRequests() == [.wait(.milliseconds(expected))])
            h.now = h.now + .milliseconds(expected)
            h.send(.backoffElapsed)
            #expect(h.takeRequests() == [list()])
        }
        h.send(.listPage(items: [], continueToken: nil, resourceVersion: "4"))
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "4")])
        // A watch error keeps growing the schedule and re-watches from the same version, no relist.
        h.send(.watchFailed(.transient("503")))
        #expect(h.takeRequests() == [.wait(.milliseconds(6400))])
        h.send(.watchEvent(.init(.added, object("x", rv: "5"))))  // ignored while backing off
        h.send(.backoffElapsed)
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "4")])
        // Two healthy minutes later the schedule starts over.
        h.now = h.now + .seconds(121)
        h.send(.watchFailed(.transient("reset by peer")))
        #expect(h.takeRequests() == [.wait(.milliseconds(800))])
    }

    /// C4 #5 and #10: 500s and 504s ("Too large resource version" from a lagging apiserver) are
    /// retried from the same version until they have lasted two minutes, then the machine relists
    /// with a consistent read. Connection failures and 429s never relist; any event resets the clock.
    @Test func persistentInternalErrorsRelistAfterTheDeadline() {
        var config = WatcherStateMachine.Configuration()
        config.backoff.jitter = 0
        var h = Harness(config)
        h.start()
        h.send(.listPage(items: [object("a", rv: "3")], continueToken: nil, resourceVersion: "4"))
        _ = h.takeRequests()
        _ = h.takeChanges()
        /// Fails the watch with `error`, waits out the backoff; returns the requests in between.
        func failAndWait(_ error: WatcherError) -> [WatcherStateMachine.Action] {
            h.send(.watchFailed(error))
            var requests = h.takeRequests()
            if case .wait(let d) = requests.first {
                h.now = h.now + d
                h.send(.backoffElapsed)
                requests += h.takeRequests()
            }
            return requests
        }
        // Ten minutes of connection failures and 429s: re-watch from "4" every time, never a list.
        let start = h.now
        while h.now - start < .seconds(600) {
            let requests = failAndWait(.transient("429 Too Many Requests"))
            #expect(requests.last == .startWatch(resourceVersion: "4"))
        }
        // Server errors within the deadline: retried from the same version; a bookmark resets the clock.
        h.now = h.now + .seconds(180)
        _ = failAndWait(.internalError("Too large resource version: 4, current: 3"))
        h.now = h.now + .seconds(100)
        #expect(failAndWait(.internalError("500")).last == .startWatch(resourceVersion: "4"))
        h.send(.watchEvent(.init(.bookmark, ["metadata": ["resourceVersion": "6"]])))
        h.now = h.now + .seconds(100)
        #expect(failAndWait(.internalError("500")).last == .startWatch(resourceVersion: "6"), "reset by the bookmark")
        // Until the errors have lasted 120 s: then a consistent relist, not a watch.
        var lastRequests: [WatcherStateMachine.Action] = []
        let firstError = h.now
        repeat {
            lastRequests = failAndWait(.internalError("Too large resource version: 6, current: 5"))
        } while lastRequests.last == .startWatch(resourceVersion: "6") && h.now - firstError < .seconds(600)
        #expect(h.now - firstError >= .seconds(120))
        #expect(lastRequests == [list()], "a consistent read (RV unset), never back in time")
        h.send(.listPage(items: [object("a", rv: "3")], continueToken: nil, resourceVersion: "9"))
        #expect(h.takeRequests() == [.startWatch(resourceVersion: "9")])
        #expect(h.takeChanges().isEmpty, "an unchanged relist emits nothing")
    }

    @Test func backoffJitterIsSeededAndBounded() {
        var h = Harness()
        h.start()
        _ = h.takeRequests()
        h.send(.listFailed(.transient("x")))
        guard case .wait(let d) = h.takeRequests().first else {
            Issue.record("expected a wait")
            return
        }
        #expect(d >= .milliseconds(800) && d < .milliseconds(1600))
        var again = Harness()
        again.start()
        again.send(.listFailed(.transient("x")))
        #expect(again.takeRequests().last == .wait(d))
    }

    @Test func lateInputsAreIgnored() {
        var h = Harness()
        h.send(.watchClosed)
        h.send(.backoffElapsed)
        #expect(h.takeRequests() == [])
        h.start()
        h.send(.watchEvent(.init(.added, object("a"))))  // not watching yet
        #expect(h.store.count == 0)
        #expect(h.machine.start() == [])  // only once
    }
}
