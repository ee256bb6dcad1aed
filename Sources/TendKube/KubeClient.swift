public import CoreMetrics
import Foundation
public import Logging
import TendHTTP
import Synchronization
public import TendMeta
public import TendValue

/// A client of one Kubernetes API server, for dynamic objects (``TendValue/Value``).
///
/// Every request goes through the same path: the client-side rate limit (token bucket,
/// ``ClientConfiguration/rateLimit``), the current credentials (``CredentialProvider``), one
/// shared HTTP/2 transport (``TendHTTP/HTTPClient``), and the retry policy (``RetryPolicy``).
/// Requests send and accept JSON (`Accept: application/json`). Errors are ``KubeError``s that
/// name the request and keep the server's `Status`.
///
/// Resources are found through discovery (``Discovery``): ``resource(_:namespace:)-(GroupVersionKind,_)``
/// returns a ``ResourceClient`` for CRUD, patch, apply, status and watch.
///
/// **Client certificates from exec plugins.** The transport presents the certificate of the
/// kubeconfig, if any. When an exec plugin returns a certificate (or a different one than
/// before), the client builds a new transport presenting it and sends all later requests
/// through it; requests and watches already running on the old transport continue undisturbed.
/// A retired transport is shut down at the second rotation after it or by ``shutdown()``.
///
/// Lifetime: ``withClient(_:options:isolation:_:)``, or ``shutdown()`` when done.
public final class KubeClient: Sendable {
    /// Tuning and injection points.
    public struct Options: Sendable {
        public var retryPolicy: RetryPolicy
        public var clock: KubeClock
        public var logger: Logger
        /// DNS + TCP + TLS limit per connection.
        public var connectTimeout: Duration
        /// Total limit of one non-watch request attempt.
        public var requestTimeout: Duration
        /// A request receiving nothing for this long fails (watches set their own, see ``WatchOptions``).
        public var idleTimeout: Duration
        /// Discovery is refreshed on a miss at most this often.
        public var discoveryRefreshInterval: Duration
        /// Random numbers in 0..<1 for retry jitter.
        public var random: @Sendable () -> Double
        /// Runs exec credential plugins; nil: ``ExecCredentialPlugin``.
        public var pluginRunner: CredentialProvider.PluginRunner?
        /// Where to record `tend_rest_client_requests_total{verb, code}` and
        /// `tend_rest_client_request_duration_seconds{verb}` (per attempt); a no-op by default.
        public var metrics: any MetricsFactory

        public init(
            retryPolicy: RetryPolicy = .default, clock: KubeClock = .system, logger: Logger = Logger(label: "tend.kube"),
            connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60),
            discoveryRefreshInterval: Duration = .seconds(5), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
            pluginRunner: CredentialProvider.PluginRunner? = nil, metrics: any MetricsFactory = NOOPMetricsHandler.instance
        ) {
            self.retryPolicy = retryPolicy
            self.clock = clock
            self.logger = logger
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
            self.discoveryRefreshInterval = discoveryRefreshInterval
            self.random = random
            self.pluginRunner = pluginRunner
            self.metrics = metrics
        }
    }

    public let configuration: ClientConfiguration
    public let options: Options
    /// The credentials requests use.
    public let credentials: CredentialProvider
    /// The discovery cache and REST mapping.
    public let discovery: Discovery
    let rateLimiter: RateLimiter
    private let transport: Mutex<Transport>
    private let counts = Mutex<[String: Int]>([:])
    private let metrics: RESTClientMetrics

    private struct Transport {
        var client: HTTPClient
        var certificate: CredentialProvider.CertificatePair?
        var retired: [HTTPClient] = []
        var stopped = false
        var rebuilds = 0
    }

    public init(configuration: ClientConfiguration, options: Options = Options()) {
        self.configuration = configuration
        self.options = options
        credentials = CredentialProvider(
            credentials: configuration.credentials, server: configuration.server, clock: options.clock,
            runPlugin: options.pluginRunner)
        rateLimiter = RateLimiter(configuration.rateLimit, clock: options.clock)
        metrics = RESTClientMetrics(factory: options.metrics)
        transport = Mutex(Transport(client: HTTPClient(configuration: Self.httpConfiguration(configuration, options, certificate: nil))))
        discovery = Discovery(clock: options.clock, minRefreshInterval: options.discoveryRefreshInterval, logger: options.logger)
        discovery.attach(self)
        if configuration.insecureSkipTLSVerify {
            InsecureWarning.once(server: configuration.server, logger: options.logger)
        }
    }

    /// Runs `body` with a new client and shuts it down afterwards.
    public static func withClient<Result, Failure: Error>(
        _ configuration: ClientConfiguration, options: Options = Options(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (KubeClient) async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let client = KubeClient(configuration: configuration, options: options)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Stops the transports: running requests and watches fail, later requests fail at once.
    public func shutdown() async {
        let clients = transport.withLock { t in
            t.stopped = true
            let all = [t.client] + t.retired
            t.retired = []
            return all
        }
        for client in clients { await client.shutdown() }
    }

    /// How many times the transport was rebuilt for a new client certificate.
    public var transportRebuilds: Int { transport.withLock { $0.rebuilds } }

    // MARK: Resources

    /// A client for the resource serving `kind`, found through discovery (refreshed when the
    /// kind is unknown, so CRDs installed later are found).
    /// - Parameter namespace: for namespaced resources, the namespace to work in; nil: all
    ///   namespaces for list and watch, the object's own `metadata.namespace` for writes.
    public func resource(_ kind: GroupVersionKind, namespace: String? = nil) async throws(KubeError) -> ResourceClient {
        ResourceClient(client: self, resource: try await discovery.resource(for: kind), namespace: namespace)
    }

    /// A client for `resource`, found through discovery.
    public func resource(_ resource: GroupVersionResource, namespace: String? = nil) async throws(KubeError) -> ResourceClient {
        ResourceClient(client: self, resource: try await discovery.resource(for: resource), namespace: namespace)
    }

    /// A client for a resource named as a user would: `deployments`, `deploy`, `Deployment`,
    /// `deployments.apps`, `deployments.v1.apps`, `crontabs.stable.example.com`.
    public func resource(named name: String, namespace: String? = nil) async throws(KubeError) -> ResourceClient {
        ResourceClient(client: self, resource: try await discovery.resolve(name), namespace: namespace)
    }

    /// A client for the kind of `object` (its `apiVersion` and `kind`), in its namespace.
    public func resource(for object: Value) async throws(KubeError) -> ResourceClient {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
              let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
        else {
            throw KubeError(.invalidRequest, request: RequestDescription(verb: "discover", resource: "?"),
                            message: "the object has no apiVersion and kind")
        }
        return try await resource(gvk, namespace: object["metadata"]?["namespace"]?.stringValue)
    }

    /// A client for a resource described without discovery.
    public func resource(_ resource: APIResource, namespace: String? = nil) -> ResourceClient {
        ResourceClient(client: self, resource: resource, namespace: namespace)
    }

    /// The server's `/version` document.
    public func serverVersion() async throws(KubeError) -> Value {
        try await getJSON("/version", description: RequestDescription(verb: "get", resource: "version"))
    }

    // MARK: Requests

    /// One API request, before credentials and transport are added.
    struct APIRequest: Sendable {
        var method: HTTPMethod
        var path: String
        var query: [(String, String)] = []
        var body: [UInt8]? = nil
        var contentType: String? = nil
        var description: RequestDescription
        /// Safe to send twice (false for POST and JSON patch).
        var idempotent: Bool
        var idleTimeout: HTTPRequest.IdleTimeout = .clientDefault
    }

    /// What one attempt produced.
    enum Attempt<R: Sendable>: Sendable {
        case success(R, status: Int)
        case failure(status: Int, headers: HTTPHeaders, body: [UInt8])

        var status: Int {
            switch self {
            case .success(_, let status), .failure(let status, _, _): status
            }
        }
    }

    /// GETs `path` and decodes the JSON body.
    func getJSON(_ path: String, description: RequestDescription) async throws(KubeError) -> Value {
        let response = try await send(APIRequest(method: .get, path: path, description: description, idempotent: true))
        return try Self.decode(response.body, description)
    }

    /// Requests sent so far, by Kubernetes verb (`get`, `list`, `create`, `apply`, `patch`, `delete`, ...):
    /// one per logical request, whatever its retries. For tests and diagnostics.
    public var requestCounts: [String: Int] { counts.withLock { $0 } }

    /// How many write requests (create, update, patch, apply, delete) have been sent.
    public var writeCount: Int {
        requestCounts.filter { ["create", "update", "patch", "apply", "delete", "deletecollection"].contains($0.key) }.values.reduce(0, +)
    }

    /// Sends `request` (rate limit, credentials, retries) and returns the 2xx response.
    func send(_ request: APIRequest) async throws(KubeError) -> HTTPResponse {
        counts.withLock { $0[request.description.verb, default: 0] += 1 }
        return try await retrying(request) { (http, httpRequest) async throws(HTTPError) -> Attempt<HTTPResponse> in
            let response = try await http.execute(httpRequest)
            return response.isSuccess
                ? .success(response, status: response.status) : .failure(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// Opens a streaming request (watch) and returns once a 2xx head has arrived.
    func openStream(_ request: APIRequest) async throws(KubeError) -> HTTPStreamResponse {
        try await retrying(request) { (http, httpRequest) async throws(HTTPError) -> Attempt<HTTPStreamResponse> in
            let response = try await http.stream(httpRequest)
            if response.isSuccess { return .success(response, status: response.status) }
            // An error body is one small Status document.
            var body: [UInt8] = []
            do {
                for try await line in response.body {
                    body += line
                    body.append(0x0A)
                    if body.count > 1 << 16 { break }
                }
            } catch {}
            response.cancel()
            return .failure(status: response.status, headers: response.headers, body: body)
        }
    }

    private func retrying<R: Sendable>(
        _ request: APIRequest,
        _ attempt: (HTTPClient, HTTPRequest) async throws(HTTPError) -> Attempt<R>
    ) async throws(KubeError) -> R {
        let clock = options.clock
        let start = clock.now()
        var attemptNumber = 0
        var reauthenticated = false
        while true {
            attemptNumber += 1
            do {
                metrics.recordRateLimiterWait(verb: request.description.verb, try await rateLimiter.acquire())
            } catch {
                throw KubeError(.cancelled, request: request.description, message: "cancelled while rate limited")
            }
            let auth: CredentialProvider.Current
            do {
                auth = try await credentials.current()
            } catch {
                throw KubeError(error.code, request: request.description, message: error.message)
            }
            let http = try httpClient(for: auth.clientCertificate, request)
            let lastError: KubeError
            let failure: RetryPolicy.Failure
            let sent = ContinuousClock.now
            do {
                let outcome = try await attempt(http, makeHTTPRequest(request, auth))
                metrics.record(verb: request.description.verb, status: outcome.status, duration: ContinuousClock.now - sent)
                switch outcome {
                case .success(let result, _):
                    return result
                case .failure(let status, let headers, let body):
                    let error = Self.apiError(request.description, status: status, body: body)
                    if status == 401, !reauthenticated, await credentials.invalidate(auth) {
                        reauthenticated = true
                        attemptNumber -= 1
                        options.logger.debug("401 Unauthorized; refreshing credentials and sending again",
                                             metadata: ["request": "\(request.description)"])
                        continue
                    }
                    let retryAfter = RetryPolicy.retryAfter(header: headers["Retry-After"])
                        ?? error.status?.retryAfterSeconds.map { Duration.seconds($0) }
                    failure = .status(status, retryAfter: retryAfter)
                    lastError = error
                }
            } catch {
                metrics.record(verb: request.description.verb, status: nil, duration: ContinuousClock.now - sent)
                if error.code == .cancelled {
                    throw KubeError(.cancelled, request: request.description, message: "cancelled", transport: error)
                }
                failure = .transport(error.code)
                lastError = KubeError(.transport, request: request.description, message: error.description, transport: error)
            }
            let decision = options.retryPolicy.decide(
                failure, attempt: attemptNumber, elapsed: clock.now() - start, idempotent: request.idempotent,
                random: options.random())
            guard case .retry(let wait) = decision else { throw lastError }
            options.logger.debug("retrying request", metadata: [
                "request": "\(request.description)", "attempt": "\(attemptNumber)", "wait": "\(wait)",
                "failure": "\(lastError.message)",
            ])
            do {
                try await clock.sleep(wait)
            } catch {
                throw KubeError(.cancelled, request: request.description, message: "cancelled while waiting to retry")
            }
        }
    }

    private func makeHTTPRequest(_ request: APIRequest, _ auth: CredentialProvider.Current) -> HTTPRequest {
        var http = HTTPRequest(
            method: request.method, url: configuration.server + request.path + URLEncoding.query(request.query),
            body: request.body, idleTimeout: request.idleTimeout)
        http.headers["Accept"] = "application/json"
        if let contentType = request.contentType { http.headers["Content-Type"] = contentType }
        if let authorization = auth.authorization { http.headers["Authorization"] = authorization }
        return http
    }

    /// The transport to use for `certificate` (an exec plugin's), rebuilt when it changed.
    private func httpClient(for certificate: CredentialProvider.CertificatePair?, _ request: APIRequest) throws(KubeError) -> HTTPClient {
        let (client, rebuilt, toStop) = transport.withLock { t -> (HTTPClient, Bool, HTTPClient?) in
            guard let certificate, certificate != t.certificate, !t.stopped else { return (t.client, false, nil) }
            t.retired.append(t.client)
            t.client = HTTPClient(configuration: Self.httpConfiguration(configuration, options, certificate: certificate))
            t.certificate = certificate
            t.rebuilds += 1
            return (t.client, true, t.retired.count > 1 ? t.retired.removeFirst() : nil)
        }
        if let toStop { Task { await toStop.shutdown() } }
        if rebuilt {
            options.logger.info("using a new client certificate from the exec credential plugin (new transport)")
        }
        return client
    }

    static func httpConfiguration(
        _ config: ClientConfiguration, _ options: Options, certificate: CredentialProvider.CertificatePair?
    ) -> HTTPClient.Configuration {
        var c = HTTPClient.Configuration()
        switch config.certificateAuthority {
        case .file(let path): c.certificateAuthority = .file(path)
        case .data(let pem): c.certificateAuthority = .pem(pem)
        case nil: break
        }
        if let certificate {
            c.clientCertificate = .pem(certificate: certificate.certificate, key: certificate.key)
        } else if let cert = config.credentials.clientCertificate, let key = config.credentials.clientKey {
            switch (cert, key) {
            case (.file(let certFile), .file(let keyFile)):
                c.clientCertificate = .files(certificate: certFile, key: keyFile)
            default:
                c.clientCertificate = .pem(certificate: pemBytes(cert), key: pemBytes(key))
            }
        }
        c.insecureSkipTLSVerify = config.insecureSkipTLSVerify
        c.tlsServerName = config.tlsServerName
        c.proxy = config.proxy
        c.userAgent = config.userAgent
        c.connectTimeout = options.connectTimeout
        c.requestTimeout = options.requestTimeout
        c.idleTimeout = options.idleTimeout
        c.logger = options.logger
        return c
    }

    private static func pemBytes(_ source: ClientConfiguration.PEMSource) -> [UInt8] {
        switch source {
        case .data(let bytes): bytes
        case .file(let path): FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        }
    }

    // MARK: Decoding

    static func decode(
        _ body: [UInt8], _ description: RequestDescription, options: JSON.ParseOptions = JSON.ParseOptions()
    ) throws(KubeError) -> Value {
        do {
            return try JSON.parse(body, options: options)
        } catch {
            throw KubeError(.decoding, request: description, message: "invalid JSON in response: \(error.message) at \(error.line):\(error.column)")
        }
    }

    /// The error for a non-2xx response: the server's Status when the body is one.
    static func apiError(_ description: RequestDescription, status code: Int, body: [UInt8]) -> KubeError {
        let status = (try? JSON.parse(body)).flatMap { Status($0) }
            ?? Status(httpCode: code, body: String(decoding: body.prefix(512), as: UTF8.self))
        var status2 = status
        if status2.code == nil { status2.code = code }
        let message = status2.message.flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP \(code)"
        return KubeError(.api, request: description, message: message, status: status2)
    }
}

/// `insecure-skip-tls-verify` is logged once per server and process.
enum InsecureWarning {
    private static let warned = Mutex<Set<String>>([])

    static func once(server: String, logger: Logger) {
        let first = warned.withLock { $0.insert(server).inserted }
        if first {
            logger.warning("TLS certificate verification is disabled for \(server) (insecure-skip-tls-verify); the connection can be intercepted")
        }
    }
}
