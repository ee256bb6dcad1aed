internal import CCurl
import Synchronization

/// The only door into the curl thread: a locked command queue plus `curl_multi_wakeup`.
///
/// Any thread may ``submit(_:)``; the curl thread drains the queue with ``take()`` once per loop
/// iteration. Once stopping, submissions are refused (the caller fails its request with
/// ``HTTPError/Code/shutdown``) so nothing can slip in after the loop's final drain.
final class CurlInbox: Sendable {
    enum Command: Sendable {
        case add(TransferSpec)
        case cancel(TransferID)
        case unpause(TransferID)
    }

    /// `CURLM *`, kept only so other threads can call `curl_multi_wakeup`, which libcurl
    /// documents as safe to call from any thread. It is set by the curl thread after
    /// `curl_multi_init` and cleared (under the same lock) before `curl_multi_cleanup`, and the
    /// wakeup call is made while holding the lock, so it never touches a freed handle.
    /// Nothing else is done with the pointer outside the curl thread.
    struct MultiPointer: @unchecked Sendable {
        let raw: UnsafeMutableRawPointer
    }

    private struct State {
        var commands: [Command] = []
        var stopRequested = false
        var stopped = false
        var multi: MultiPointer?
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Queues a command and wakes the curl thread. Returns false when the client is stopping or
    /// stopped (the command was not queued).
    @discardableResult
    func submit(_ command: Command) -> Bool {
        state.withLock { s in
            guard !s.stopRequested else { return false }
            s.commands.append(command)
            if let multi = s.multi { curl_multi_wakeup(multi.raw) }
            return true
        }
    }

    /// Asks the curl thread to fail everything in flight and exit. Idempotent.
    func requestStop() {
        state.withLock { s in
            s.stopRequested = true
            if let multi = s.multi { curl_multi_wakeup(multi.raw) }
        }
    }

    /// Suspends until the curl thread has exited (immediately if it already has).
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.stopped { return true }
                s.exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Whether the curl thread has exited (all handles freed).
    var isStopped: Bool { state.withLock { $0.stopped } }

    // MARK: Curl thread only

    func attach(_ multi: UnsafeMutableRawPointer) {
        state.withLock { $0.multi = MultiPointer(raw: multi) }
    }

    /// Drains the queue. `stop` is true once a stop was requested; the commands returned with it
    /// are the last ones ever (submissions are refused from then on).
    func take() -> (commands: [Command], stop: Bool) {
        state.withLock { s in
            defer { s.commands.removeAll() }
            return (s.commands, s.stopRequested)
        }
    }

    /// Called by the curl thread right before `curl_multi_cleanup`: forgets the handle and
    /// returns any commands still queued (to be failed).
    func detach() -> [Command] {
        state.withLock { s in
            s.multi = nil
            s.stopRequested = true
            defer { s.commands.removeAll() }
            return s.commands
        }
    }

    /// Called last by the curl thread: wakes everyone waiting in ``waitUntilStopped()``.
    func markStopped() {
        let waiters = state.withLock { s in
            s.stopped = true
            defer { s.exitWaiters.removeAll() }
            return s.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
