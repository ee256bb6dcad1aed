public import TendRuntime
import Synchronization

/// A ``RuntimeClock`` that only moves when a test says so.
///
/// Contract:
/// - ``now`` starts at the given instant and changes only through ``advance(by:)`` / ``advance(to:)``.
/// - `sleep(until:)` with a deadline at or before ``now`` returns immediately; otherwise the caller
///   is suspended until an advance reaches the deadline.
/// - An advance resumes every sleeper whose deadline it reaches, in deadline order (ties in the
///   order the sleeps started). Resumed tasks run later, on the executor; an advance does not wait
///   for them.
/// - Cancelling a sleeping task resumes it at once with `CancellationError` and forgets its deadline.
public final class ManualClock: RuntimeClock {
    private struct Sleeper {
        var id: UInt64
        var deadline: RuntimeInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: RuntimeInstant
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    public init(now: RuntimeInstant = .zero) {
        state = Mutex(State(now: now))
    }

    public var now: RuntimeInstant { state.withLock { $0.now } }

    /// Deadlines of the tasks currently sleeping, earliest first.
    public var sleeperDeadlines: [RuntimeInstant] {
        state.withLock { $0.sleepers.map(\.deadline).sorted() }
    }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    // Checked under the lock: `onCancel` sets the flag before it takes the lock,
                    // so either we see the flag here or `onCancel` finds the registered sleeper.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: c))
                    return nil
                }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` and wakes the sleepers it reaches.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a ManualClock never goes back in time")
        let due = state.withLock { s in
            s.now = s.now + duration
            return Self.takeDue(&s)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time forward to `instant` (no-op when it is not later than ``now``) and wakes the sleepers it reaches.
    public func advance(to instant: RuntimeInstant) {
        let due = state.withLock { s in
            if instant > s.now { s.now = instant }
            return Self.takeDue(&s)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    private static func takeDue(_ s: inout State) -> [Sleeper] {
        let now = s.now
        var due = s.sleepers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return [] }
        s.sleepers.removeAll { $0.deadline <= now }
        due.sort { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        return due
    }
}
