import Synchronization
public import TendValue

/// A scriptable HTTP/1.1 server on 127.0.0.1 that plays an API server for fault injection:
/// each request is answered by a handler deciding what happens (a response, a line stream, a
/// connection reset, a close without answer). Every connection serves one request and closes.
/// Raw sockets and one thread per connection; bounded: streams end at ``stop()`` or after 30 s.
public final class FakeAPIServer: Sendable {
    /// A request as received.
    public typealias Request = LoopbackRequest

    /// What to do with a request.
    public enum Action: Sendable {
        /// A complete response.
        case respond(status: Int, headers: [String: String] = [:], body: [UInt8] = [])
        /// A 200 whose body is `lines` (each followed by `\n`), `delayMilliseconds` apart; the
        /// connection then closes, or stays silent until the client leaves if `thenStall`.
        case lines([String], delayMilliseconds: Int = 0, thenStall: Bool = false)
        /// Read the request, then reset the connection (RST) without answering.
        case reset
        /// Read the request, then close the connection without answering.
        case close

        /// A JSON response.
        public static func json(_ status: Int, _ value: Value, headers: [String: String] = [:]) -> Action {
            var h = headers
            h["Content-Type"] = "application/json"
            return .respond(status: status, headers: h, body: JSON.serializeBytes(value))
        }

        /// Discovery of the core group only (`/api`, `/apis`, `/api/v1`), serving `resources` (name,
        /// kind, namespaced) with every common verb; nil for any other request.
        public static func coreDiscovery(_ request: Request, resources: [(name: String, kind: String, namespaced: Bool)]) -> Action? {
            guard request.method == "GET" else { return nil }
            let verbs: Value = ["get", "list", "watch", "create", "update", "patch", "delete"]
            switch request.path {
            case "/api": return json(200, ["versions": ["v1"]])
            case "/apis": return json(200, ["groups": []])
            case "/api/v1":
                let list = resources.map { r -> Value in
                    ["name": .string(r.name), "kind": .string(r.kind), "namespaced": .bool(r.namespaced), "verbs": verbs]
                }
                return json(200, ["groupVersion": "v1", "resources": .array(list)])
            default: return nil
            }
        }

        /// A `Status` response as the API server sends it.
        public static func status(_ code: Int, reason: String, message: String = "", retryAfterSeconds: Int? = nil,
                                  headers: [String: String] = [:]) -> Action {
            var status: Value = ["apiVersion": "v1", "kind": "Status", "status": "Failure", "message": .string(message),
                                 "reason": .string(reason), "code": .int(Int64(code))]
            if let retryAfterSeconds { status["details"] = ["retryAfterSeconds": .int(Int64(retryAfterSeconds))] }
            return json(code, status, headers: headers)
        }
    }

    public typealias Handler = @Sendable (_ request: Request, _ index: Int) -> Action

    private let loopback: LoopbackServer
    private let log: RequestLog

    /// Starts listening on a free loopback port. `handler` gets each request and its 0-based index.
    public init(handler: @escaping Handler) throws {
        let log = RequestLog()
        self.log = log
        loopback = try LoopbackServer(name: "fake-api-accept") { connection in
            Self.serve(connection, handler: handler, log: log)
        }
    }

    /// The port the server listens on.
    public var port: Int { loopback.port }

    /// `http://127.0.0.1:<port>`.
    public var url: String { loopback.url }

    /// The requests received so far, in arrival order.
    public var requests: [Request] { log.requests.withLock { $0 } }

    /// Closes the listener and every connection.
    public func stop() { loopback.stop() }

    private final class RequestLog: Sendable {
        let requests = Mutex<[Request]>([])
    }

    private static func serve(_ connection: LoopbackConnection, handler: Handler, log: RequestLog) {
        guard let request = connection.readRequest() else { return }
        let index = log.requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        switch handler(request, index) {
        case .respond(let status, let headers, let body):
            connection.respond(status: status, headers: headers.map { "\($0.key): \($0.value)" }, body: body)
        case .lines(let lines, let delay, let thenStall):
            connection.sendHead(status: 200, headers: ["Content-Type: application/json"])
            for line in lines {
                guard connection.write(Array((line + "\n").utf8)) else { return }
                connection.pause(milliseconds: delay)
            }
            if thenStall { _ = connection.waitForPeerToLeave() }
        case .reset:
            connection.resetOnClose()
        case .close:
            break
        }
    }
}
