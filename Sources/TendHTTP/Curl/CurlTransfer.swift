internal import CCurl
import Logging

/// One running request: its easy handle and everything libcurl's callbacks touch.
///
/// Confined to the curl thread (not Sendable): created when the loop takes an `.add` command,
/// driven by libcurl callbacks during `curl_multi_perform`/`curl_easy_pause`, finished and
/// destroyed by the loop. libcurl gets an *unretained* pointer to it as callback user data;
/// the loop's table keeps it alive for as long as the easy handle is in the multi handle.
///
/// Exactly-once: every path that ends the request goes through ``finish(_:)``, which resumes the
/// caller's continuation (or ends the stream buffer) once; `deinit` covers a forgotten path.
final class CurlTransfer {
    let spec: TransferSpec
    let easy: UnsafeMutableRawPointer
    let idleTimeout: Duration?
    private let logger: Logger

    /// Resources owned by the easy handle's options; freed in ``destroy()``.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>

    private var head = ResponseHeadParser()
    private var body: [UInt8] = []
    private var headDelivered = false
    private var finished = false
    private var destroyed = false

    /// The write callback returned `CURL_WRITEFUNC_PAUSE`; cleared when the loop unpauses.
    var pausedByUs = false
    /// Last time a byte (head or body) arrived, or the transfer started or was unpaused.
    var lastActivity: ContinuousClock.Instant

    init(spec: TransferSpec, configuration: HTTPClient.Configuration) throws(HTTPError) {
        guard let easy = curl_easy_init() else {
            throw spec.error(.transport, "curl_easy_init failed")
        }
        self.spec = spec
        self.easy = easy
        self.logger = configuration.logger
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.lastActivity = .now
        switch spec.request.idleTimeout {
        case .clientDefault: self.idleTimeout = configuration.idleTimeout
        case .disabled: self.idleTimeout = nil
        case .after(let duration): self.idleTimeout = duration
        }
        do throws(HTTPError) {
            try configure(configuration)
        } catch {
            destroy()
            finished = true
            throw error
        }
    }

    deinit {
        if !finished { finish(spec.error(.shutdown, "transfer dropped")) }
        destroy()
    }

    var isStream: Bool {
        if case .stream = spec.completion { return true }
        return false
    }

    // MARK: Callbacks (curl thread, inside libcurl)

    func onHeader(_ line: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        if head.consume(line) == .complete, isStream, !headDelivered {
            deliverHead()
        }
        return line.count
    }

    func onWrite(_ bytes: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        switch spec.completion {
        case .buffered:
            body.append(contentsOf: bytes)
            return bytes.count
        case .stream(let buffer, _):
            if !headDelivered { deliverHead() }
            switch buffer.offer(bytes) {
            case .accepted:
                return bytes.count
            case .pause:
                pausedByUs = true
                return Int(CURL_WRITEFUNC_PAUSE)
            case .closed:
                return 0  // consumer gone: libcurl aborts with CURLE_WRITE_ERROR
            }
        }
    }

    // MARK: Completion (curl thread, outside libcurl callbacks)

    /// Ends the request with libcurl's result code.
    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            finish(nil)
        } else if code == CURLE_WRITE_ERROR && spec.handle.control.isCancelled {
            finish(spec.error(.cancelled, "cancelled"))
        } else {
            finish(CurlErrors.map(code, errorBuffer: errorBuffer, spec: spec))
        }
    }

    /// Resumes the caller exactly once: `nil` means success.
    func finish(_ error: HTTPError?) {
        guard !finished else { return }
        finished = true
        let elapsed = ContinuousClock.now - spec.submitted
        if let error {
            logger.debug("HTTP request failed", metadata: ["request": "\(spec.request.method) \(error.url)", "error": "\(error.code.summary)", "ms": "\(elapsed.milliseconds)"])
        } else {
            logger.debug("HTTP request done", metadata: ["request": "\(spec.request.method) \(URLRedaction.redact(spec.request.url))", "status": "\(head.status)", "ms": "\(elapsed.milliseconds)"])
        }
        switch spec.completion {
        case .buffered(let continuation):
            if let error {
                continuation.resume(returning: .failure(error))
            } else {
                let response = HTTPResponse(
                    status: responseStatus(), headers: head.headers, body: body, httpVersion: negotiatedVersion(),
                    metrics: HTTPTransferMetrics(connectionsOpened: connectionsOpened(), duration: elapsed))
                body = []
                continuation.resume(returning: .success(response))
            }
        case .stream(let buffer, let continuation):
            if headDelivered {
                buffer.finish(error)
            } else if let error {
                buffer.finish(error)
                continuation.resume(returning: .failure(error))
            } else {
                deliverHead()
                buffer.finish(nil)
            }
        }
    }

    private func deliverHead() {
        guard case .stream(let buffer, let continuation) = spec.completion, !headDelivered else { return }
        headDelivered = true
        let response = HTTPStreamResponse(
            status: responseStatus(), headers: head.headers, httpVersion: negotiatedVersion(),
            body: HTTPLineStream(buffer: buffer))
        continuation.resume(returning: .success(response))
    }

    private func responseStatus() -> Int {
        if head.status > 0 { return head.status }
        var code = 0
        _ = tend_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func negotiatedVersion() -> HTTPVersion {
        var version = 0
        _ = tend_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        switch version {
        case CURL_HTTP_VERSION_1_0: return .http1_0
        case CURL_HTTP_VERSION_1_1: return .http1_1
        case CURL_HTTP_VERSION_2_0: return .http2
        case CURL_HTTP_VERSION_3: return .http3
        default: return head.version
        }
    }

    private func connectionsOpened() -> Int {
        var count = 0
        _ = tend_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    /// Frees the easy handle and what its options point to. The loop must have removed the
    /// handle from the multi handle first. Idempotent.
    func destroy() {
        guard !destroyed else { return }
        destroyed = true
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        headerList = nil
        connectToList = nil
        errorBuffer.deallocate()
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
