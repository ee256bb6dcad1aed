/// Everything the curl thread needs to run one request, handed over through the inbox.
/// Sendable: plain values, a Sendable buffer and continuations.
struct TransferSpec: Sendable {
    enum Completion: Sendable {
        /// ``HTTPClient/execute(_:)``: resumed once with the whole response or an error.
        case buffered(CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>)
        /// ``HTTPClient/stream(_:)``: the continuation is resumed once with the head (or an error
        /// before the head); the body and any later error go through the buffer.
        case stream(StreamBuffer, CheckedContinuation<Result<HTTPStreamResponse, HTTPError>, Never>)
    }

    let handle: TransferHandle
    let request: HTTPRequest
    let completion: Completion
    let submitted: ContinuousClock.Instant

    var id: TransferID { handle.id }

    func error(_ code: HTTPError.Code, _ message: String, curlCode: Int? = nil) -> HTTPError {
        HTTPError(code: code, message: message, method: request.method.rawValue, url: request.url, curlCode: curlCode)
    }

    /// Fails a request that never became a running transfer. Call at most once.
    func failBeforeStart(_ error: HTTPError) {
        switch completion {
        case .buffered(let continuation):
            continuation.resume(returning: .failure(error))
        case .stream(let buffer, let continuation):
            buffer.finish(error)
            continuation.resume(returning: .failure(error))
        }
    }
}
