import Foundation
import Synchronization
import TendKube

/// A virtual clock: `sleep` returns at once and advances time; every wait is recorded.
final class TestClock: Sendable {
    private struct State {
        var now: ContinuousClock.Instant
        var wall: Date
        var sleeps: [Duration] = []
    }
    private let state: Mutex<State>

    init(wall: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: ContinuousClock.now, wall: wall))
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var now: ContinuousClock.Instant { state.withLock { $0.now } }
    var wall: Date { state.withLock { $0.wall } }

    func advance(_ d: Duration) {
        state.withLock { s in
            s.now += d
            s.wall += Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }

    var kubeClock: KubeClock {
        KubeClock(
            now: { self.now },
            wallTime: { self.wall },
            sleep: { d in
                try Task.checkCancellation()
                self.state.withLock { $0.sleeps.append(d) }
                self.advance(d)
                await Task.yield()
            })
    }
}
