/// The body of a streaming response as an `AsyncSequence` of lines (`[UInt8]` without the
/// `\n` or `\r\n` terminator; empty lines included; a final unterminated line delivered at the
/// end).
///
/// Contracts:
/// - **Single consumer.** Iterate once; a second iterator would compete for the same bytes.
/// - **Streaming.** Lines are yielded as soon as their bytes arrive; the body is never
///   buffered whole. Memory is bounded by ``HTTPClient/Configuration/streamBufferLimit`` plus
///   the longest line.
/// - **Backpressure.** When the consumer falls behind, the transfer is paused (libcurl stops
///   reading the socket; for HTTP/2 only this stream's flow-control window closes) and resumed
///   once the consumer has drained the buffer.
/// - **Errors.** `next()` throws ``HTTPError`` when the transfer fails after the head arrived
///   (connection reset, idle timeout, shutdown). Lines received before the failure come first.
/// - **Cancellation.** Cancelling the iterating task makes the pending `next()` throw
///   ``HTTPError/Code/cancelled`` and aborts the transfer. Dropping the stream and its iterators
///   (or calling ``cancel()``) aborts the transfer too.
public struct HTTPLineStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    public typealias Failure = HTTPError

    let lifetime: StreamLifetime

    init(buffer: StreamBuffer) {
        self.lifetime = StreamLifetime(buffer: buffer)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(lifetime: lifetime)
    }

    /// Aborts the transfer. Idempotent, callable from any thread.
    public func cancel() { lifetime.buffer.cancel() }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = [UInt8]
        public typealias Failure = HTTPError

        let lifetime: StreamLifetime
        var splitter = LineSplitter()
        var done = false

        public mutating func next() async throws(HTTPError) -> [UInt8]? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(HTTPError) -> [UInt8]? {
            while true {
                if let line = splitter.nextLine() { return line }
                if done { return nil }
                switch await lifetime.buffer.next() {
                case .bytes(let bytes):
                    splitter.append(bytes)
                case .end:
                    done = true
                    return splitter.finish()
                case .failure(let error):
                    done = true
                    _ = splitter.finish()
                    throw error
                }
            }
        }
    }
}

/// Owned only by the consumer side (stream values and iterators, never the curl thread):
/// when the last of them goes away, the transfer is cancelled.
final class StreamLifetime: Sendable {
    let buffer: StreamBuffer
    init(buffer: StreamBuffer) { self.buffer = buffer }
    deinit { buffer.cancel() }
}
