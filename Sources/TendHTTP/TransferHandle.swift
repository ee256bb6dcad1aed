import Synchronization

/// Identifies one transfer inside a client.
typealias TransferID = UInt64

/// The Swift-side grip on a running transfer: lets any thread cancel it or ask the curl thread
/// to resume it after a backpressure pause. Sendable; all mutation goes through the inbox.
struct TransferHandle: Sendable {
    let id: TransferID
    let inbox: CurlInbox
    let control: TransferControl

    /// Marks the transfer cancelled and tells the curl thread. Safe before the transfer has
    /// reached the curl thread: the flag is checked when it gets there.
    func cancel() {
        if control.markCancelled() {
            inbox.submit(.cancel(id))
        }
    }

    /// Asks the curl thread to unpause the transfer (the consumer drained its buffer).
    func unpause() {
        inbox.submit(.unpause(id))
    }
}

/// Cancellation flag shared between the caller and the curl thread.
final class TransferControl: Sendable {
    private let cancelled = Mutex(false)

    /// Sets the flag; returns true for the call that set it first.
    func markCancelled() -> Bool {
        cancelled.withLock { flag in
            defer { flag = true }
            return !flag
        }
    }

    var isCancelled: Bool { cancelled.withLock { $0 } }
}
