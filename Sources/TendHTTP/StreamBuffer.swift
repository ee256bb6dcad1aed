import Synchronization

/// The bounded hand-over buffer between the curl thread (producer) and the task iterating a
/// ``HTTPLineStream`` (single consumer).
///
/// Backpressure contract:
/// - The producer calls ``offer(_:)`` from the curl write callback. When `limit` bytes or more
///   are already waiting, the chunk is refused with `.pause`: the write callback returns
///   `CURL_WRITEFUNC_PAUSE` (libcurl keeps the chunk and redelivers it later) and the buffer
///   remembers that the transfer is paused.
/// - The consumer takes everything buffered at once (``next()``); if the transfer was paused it
///   asks the curl thread to unpause it (``TransferHandle/unpause()``). Both decisions happen
///   under the same lock, so a pause can never be missed by the consumer.
/// So at most `limit` + one chunk is buffered here, whatever the consumer's speed.
final class StreamBuffer: Sendable {
    enum Event: Sendable {
        case bytes([UInt8])
        case end
        case failure(HTTPError)
    }

    enum OfferResult {
        case accepted
        case pause
        /// The consumer is gone or cancelled: abort the transfer.
        case closed
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var bufferedBytes = 0
        var paused = false
        /// How often the producer was refused (diagnostics and tests).
        var pauseCount = 0
        /// Set once: the final event after the chunks are drained.
        var terminal: Event?
        /// The consumer waiting for data (only when `chunks` is empty and no `terminal`).
        var waiter: CheckedContinuation<Event, Never>?

        mutating func takeReady() -> (Event, unpause: Bool)? {
            if !chunks.isEmpty {
                var all: [UInt8]
                if chunks.count == 1 {
                    all = chunks[0]
                } else {
                    all = []
                    all.reserveCapacity(bufferedBytes)
                    for chunk in chunks { all.append(contentsOf: chunk) }
                }
                chunks.removeAll(keepingCapacity: true)
                bufferedBytes = 0
                let unpause = paused
                paused = false
                return (.bytes(all), unpause)
            }
            if let terminal { return (terminal, false) }
            return nil
        }
    }

    private let state = Mutex(State())
    private let limit: Int
    let handle: TransferHandle
    private let cancelError: HTTPError

    init(limit: Int, handle: TransferHandle, cancelError: HTTPError) {
        self.limit = max(1, limit)
        self.handle = handle
        self.cancelError = cancelError
    }

    /// Number of times the transfer was paused because the consumer fell behind.
    var pauseCount: Int { state.withLock { $0.pauseCount } }

    // MARK: Producer (curl thread)

    func offer(_ bytes: UnsafeRawBufferPointer) -> OfferResult {
        let chunk = Array(bytes)
        let (result, waiter): (OfferResult, CheckedContinuation<Event, Never>?) = state.withLock { s in
            if s.terminal != nil { return (.closed, nil) }
            if s.bufferedBytes >= limit {
                if !s.paused { s.pauseCount += 1 }
                s.paused = true
                return (.pause, nil)
            }
            if let waiter = s.waiter {
                // The consumer is waiting, so nothing is buffered: hand the chunk over directly.
                s.waiter = nil
                return (.accepted, waiter)
            }
            s.chunks.append(chunk)
            s.bufferedBytes += chunk.count
            return (.accepted, nil)
        }
        waiter?.resume(returning: .bytes(chunk))
        return result
    }

    /// Ends the stream: `nil` for a clean end, else the error. Ignored after cancellation.
    func finish(_ error: HTTPError?) {
        let waiter: CheckedContinuation<Event, Never>? = state.withLock { s in
            guard s.terminal == nil else { return nil }
            s.terminal = error.map { .failure($0) } ?? .end
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: error.map { .failure($0) } ?? .end)
    }

    // MARK: Consumer

    /// The next batch of bytes, or the end. Cancelling the calling task cancels the transfer.
    func next() async -> Event {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event, Never>) in
                let ready: (Event, unpause: Bool)? = state.withLock { s in
                    if let ready = s.takeReady() { return ready }
                    s.waiter = continuation
                    return nil
                }
                if let (event, unpause) = ready {
                    if unpause { handle.unpause() }
                    continuation.resume(returning: event)
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Cancels the transfer: buffered data is dropped, the waiting and all later ``next()``
    /// calls get ``HTTPError/Code/cancelled``. No-op once the stream has ended.
    func cancel() {
        let (wasOpen, waiter): (Bool, CheckedContinuation<Event, Never>?) = state.withLock { s in
            guard s.terminal == nil else {
                s.chunks.removeAll()
                return (false, nil)
            }
            s.terminal = .failure(cancelError)
            s.chunks.removeAll()
            s.bufferedBytes = 0
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        waiter?.resume(returning: .failure(cancelError))
        if wasOpen { handle.cancel() }
    }
}
