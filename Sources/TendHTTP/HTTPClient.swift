import Synchronization

/// An asynchronous HTTP/1.1 and HTTP/2 client over libcurl.
///
/// **Threading.** Each client owns one dedicated thread (`tend-curl`) running a
/// `curl_multi_poll` loop over one libcurl multi handle; all blocking and all libcurl work
/// happens there, never on Swift's cooperative pool. Callers hand requests over through a locked
/// queue and `curl_multi_wakeup`; results come back by resuming continuations, each exactly once.
/// The client is `Sendable`: call it from any task, concurrently.
///
/// **Connections.** One multi handle means one connection cache: requests to the same server
/// reuse connections, and over TLS HTTP/2 is negotiated by ALPN when the server offers it, with
/// many concurrent requests multiplexed over one connection (`CURLPIPE_MULTIPLEX`,
/// `CURLOPT_PIPEWAIT`: a new request waits for the multiplexed connection instead of opening
/// another).
///
/// **Errors.** Transport failures throw ``HTTPError``; any HTTP status, 4xx and 5xx included,
/// is a response.
///
/// **Lifetime.** Prefer ``withClient(_:isolation:_:)``, which shuts the client down when the
/// body returns. Otherwise call ``shutdown()`` when done: it fails in-flight requests and open
/// streams with ``HTTPError/Code/shutdown``, and returns once the thread has exited and every
/// handle is freed. A client dropped without `shutdown()` stops its thread in the background,
/// which also fails its open streams with ``HTTPError/Code/shutdown``: keep the client alive for
/// as long as its streams are consumed.
public final class HTTPClient: Sendable {
    public let configuration: Configuration
    let inbox = CurlInbox()
    private let nextID = Atomic<UInt64>(1)

    /// Starts the client's thread. Pair with ``shutdown()``.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        CurlLoop.start(inbox: inbox, configuration: configuration)
    }

    deinit {
        inbox.requestStop()
    }

    /// Runs `body` with a fresh client and shuts the client down afterwards, whether `body`
    /// returns or throws.
    public static func withClient<Result, Failure: Error>(
        _ configuration: Configuration = Configuration(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPClient) async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let client = HTTPClient(configuration: configuration)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Stops the client: in-flight requests and streams fail with ``HTTPError/Code/shutdown``,
    /// later requests fail immediately with it. Returns when the curl thread has exited.
    /// Idempotent.
    public func shutdown() async {
        inbox.requestStop()
        await inbox.waitUntilStopped()
    }

    /// Sends `request` and returns the complete response (any status).
    ///
    /// Cancelling the calling task aborts the transfer and throws ``HTTPError/Code/cancelled``.
    /// Timeouts: ``Configuration/connectTimeout``, the request's or client's total timeout
    /// (``HTTPError/Code/timedOut``), the idle timeout (``HTTPError/Code/idleTimeout``).
    public func execute(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let handle = makeHandle()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) in
                let spec = TransferSpec(handle: handle, request: request, completion: .buffered(continuation), submitted: .now)
                submit(spec)
            }
        } onCancel: {
            handle.cancel()
        }
        return try result.get()
    }

    /// Sends `request` and returns as soon as the response head has arrived; the body follows
    /// as lines through ``HTTPStreamResponse/body`` (see ``HTTPLineStream`` for backpressure
    /// and cancellation).
    ///
    /// There is no total timeout unless the request sets one; the idle timeout applies (use
    /// ``HTTPRequest/IdleTimeout/disabled`` for streams that may legitimately stay silent).
    /// Cancelling the calling task while waiting for the head aborts the transfer.
    public func stream(_ request: HTTPRequest) async throws(HTTPError) -> HTTPStreamResponse {
        let handle = makeHandle()
        let cancelled = HTTPError(code: .cancelled, message: "stream cancelled", method: request.method.rawValue, url: request.url)
        let buffer = StreamBuffer(limit: configuration.streamBufferLimit, handle: handle, cancelError: cancelled)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPStreamResponse, HTTPError>, Never>) in
                let spec = TransferSpec(handle: handle, request: request, completion: .stream(buffer, continuation), submitted: .now)
                submit(spec)
            }
        } onCancel: {
            buffer.cancel()
        }
        return try result.get()
    }

    private func makeHandle() -> TransferHandle {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        return TransferHandle(id: id, inbox: inbox, control: TransferControl())
    }

    private func submit(_ spec: TransferSpec) {
        if !inbox.submit(.add(spec)) {
            spec.failBeforeStart(spec.error(.shutdown, "client shut down"))
        }
    }
}
