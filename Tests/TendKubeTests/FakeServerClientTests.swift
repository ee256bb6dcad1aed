import Foundation
import Synchronization
import Testing
import TendHTTP
import TendMeta
import TendTesting
import TendValue
@testable import TendKube

/// KubeClient against an in-process fake API server (plain HTTP on loopback): retries, waits,
/// request shapes, 401 refresh, watch streams. The clock is virtual: waits are recorded, not slept.
@Suite(.timeLimit(.minutes(2)))
struct FakeServerClientTests {
    static let configMaps = APIResource(
        groupVersion: GroupVersion(group: "", version: "v1"), name: "configmaps", kind: "ConfigMap", namespaced: true)

    func withClient<R>(
        policy: RetryPolicy = RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2), jitter: 0),
        credentials: ClientConfiguration.Credentials = ClientConfiguration.Credentials(),
        pluginRunner: CredentialProvider.PluginRunner? = nil,
        handler: @escaping FakeAPIServer.Handler,
        _ body: (FakeAPIServer, ResourceClient, TestClock) async throws -> R
    ) async throws -> R {
        let server = try FakeAPIServer(handler: handler)
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.credentials = credentials
        config.rateLimit = .unlimited
        let clock = TestClock()
        let options = KubeClient.Options(retryPolicy: policy, clock: clock.kubeClock, connectTimeout: .seconds(2),
                                         requestTimeout: .seconds(10), random: { 0 }, pluginRunner: pluginRunner)
        return try await KubeClient.withClient(config, options: options) { client in
            try await body(server, client.resource(Self.configMaps, namespace: "ns"), clock)
        }
    }

    static let object: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "ns"]]

    @Test func getRetries500WithBackoffThenSucceeds() async throws {
        try await withClient(handler: { _, i in
            i < 2 ? .status(500, reason: "InternalError", message: "etcd hiccup") : .json(200, Self.object)
        }) { server, cms, clock in
            let got = try await cms.get("a")
            #expect(got == Self.object)
            #expect(server.requests.count == 3)
            #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
        }
    }

    @Test func getGivesUpAfterMaxAttemptsKeepingTheStatus() async throws {
        try await withClient(handler: { _, _ in .status(503, reason: "ServiceUnavailable", message: "down") }) { server, cms, clock in
            await #expect {
                _ = try await cms.get("a")
            } throws: { error in
                let e = error as! KubeError
                return e.code == .api && e.status?.code == 503 && e.message == "down" && "\(e)".contains("get configmaps.v1 ns/a")
            }
            #expect(server.requests.count == 4)
            #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        }
    }

    @Test func tooManyRequestsWaitsRetryAfterHeaderOrStatusDetails() async throws {
        try await withClient(handler: { _, i in
            switch i {
            case 0: .status(429, reason: "TooManyRequests", headers: ["Retry-After": "3"])
            case 1: .status(429, reason: "TooManyRequests", retryAfterSeconds: 2)
            default: .json(201, Self.object)
            }
        }) { server, cms, clock in
            // A create (POST): 429 proves it was not processed, so it is retried.
            _ = try await cms.create(Self.object)
            #expect(server.requests.count == 3)
            #expect(server.requests.allSatisfy { $0.method == "POST" })
            #expect(clock.sleeps == [.seconds(3), .seconds(2)])
        }
    }

    @Test func createIsNotRetriedAfter500() async throws {
        try await withClient(handler: { _, _ in .status(500, reason: "InternalError") }) { server, cms, clock in
            await #expect { _ = try await cms.create(Self.object) } throws: { ($0 as? KubeError)?.status?.code == 500 }
            #expect(server.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test func resetConnectionsAreRetriedForGetButNotForCreate() async throws {
        try await withClient(handler: { r, i in
            r.method == "GET" && i >= 2 ? .json(200, Self.object) : .reset
        }) { server, cms, clock in
            _ = try await cms.get("a")
            #expect(server.requests.count == 3)
            #expect(clock.sleeps.count == 2)
            await #expect { _ = try await cms.create(Self.object) } throws: { ($0 as? KubeError)?.code == .transport }
            #expect(server.requests.count == 4, "POST after a reset is not sent again")
        }
    }

    @Test func jsonPatchIsNotRetriedButMergePatchIs() async throws {
        try await withClient(handler: { _, _ in .status(502, reason: "BadGateway") }) { server, cms, _ in
            await #expect { _ = try await cms.patch("a", .json([["op": "add", "path": "/data/x", "value": "1"]])) } throws: { _ in true }
            #expect(server.requests.count == 1)
            await #expect { _ = try await cms.patch("a", .merge(["data": ["x": "1"]])) } throws: { _ in true }
            #expect(server.requests.count == 5)
        }
    }

    @Test func connectFailureIsRetriedEvenForCreate() async throws {
        // A port with nothing listening: every attempt fails to connect.
        let server = try FakeAPIServer { _, _ in .close }
        let url = server.url
        server.stop()
        var config = ClientConfiguration(server: url, source: "test")
        config.rateLimit = .unlimited
        let clock = TestClock()
        let options = KubeClient.Options(
            retryPolicy: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(50), jitter: 0), clock: clock.kubeClock,
            connectTimeout: .seconds(2), random: { 0 })
        try await KubeClient.withClient(config, options: options) { client in
            await #expect {
                _ = try await client.resource(Self.configMaps, namespace: "ns").create(Self.object)
            } throws: { ($0 as? KubeError)?.transport?.code == .connectFailed }
            #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
        }
    }

    @Test func otherClientErrorsAreNotRetried() async throws {
        try await withClient(handler: { _, _ in .status(409, reason: "Conflict", message: "the object has been modified") }) { server, cms, _ in
            await #expect { _ = try await cms.update(Self.object) } throws: { error in
                let e = error as! KubeError
                return e.isConflict && !e.isAlreadyExists && e.request.verb == "update"
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func requestShapeHeadersEncodingAndContentTypes() async throws {
        var creds = ClientConfiguration.Credentials()
        creds.token = "s3cret"
        try await withClient(credentials: creds, handler: { r, _ in
            r.query["watch"] == nil && r.method == "GET" && r.path.hasSuffix("/configmaps")
                ? .json(200, ["kind": "ConfigMapList", "metadata": ["resourceVersion": "5", "continue": "c2"], "items": [["metadata": ["name": "x"]]]])
                : .json(200, Self.object)
        }) { server, cms, _ in
            let page = try await cms.list(ListOptions(labelSelector: "app in (a,b)", limit: 2))
            #expect(page.items.first?["kind"] == "ConfigMap" && page.items.first?["apiVersion"] == "v1")
            #expect(page.continueToken == "c2" && page.resourceVersion == "5")
            _ = try await cms.get("we/ird name")
            _ = try await cms.apply(Self.object, fieldManager: "tend", force: true, dryRun: true)
            _ = try await cms.patchStatus("a", .merge(["status": ["x": 1]]), options: WriteOptions(dryRun: true))
            _ = try await cms.delete("a", options: DeleteOptions(propagationPolicy: .background, preconditionUID: "u1"))
            let r = server.requests
            #expect(r[0].target == "/api/v1/namespaces/ns/configmaps?labelSelector=app%20in%20%28a%2Cb%29&limit=2")
            #expect(r[0].header("Accept") == "application/json")
            #expect(r[0].header("Authorization") == "Bearer s3cret")
            #expect(r[1].target == "/api/v1/namespaces/ns/configmaps/we%2Fird%20name")
            #expect(r[2].method == "PATCH" && r[2].header("Content-Type") == "application/apply-patch+yaml")
            #expect(r[2].target == "/api/v1/namespaces/ns/configmaps/a?fieldManager=tend&force=true&dryRun=All")
            #expect(try JSON.parse(r[2].body) == Self.object)
            #expect(r[3].target == "/api/v1/namespaces/ns/configmaps/a/status?dryRun=All")
            #expect(r[3].header("Content-Type") == "application/merge-patch+json")
            let deleteBody = try JSON.parse(r[4].body)
            #expect(r[4].method == "DELETE" && deleteBody["preconditions"]?["uid"] == "u1")
        }
    }

    @Test func pagesFollowContinueTokens() async throws {
        try await withClient(handler: { r, _ in
            let n = Int(r.query["continue"] ?? "0")!
            var meta: Value = ["resourceVersion": "77"]
            if n < 3 { meta["continue"] = .string(String(n + 1)) }
            return .json(200, ["kind": "ConfigMapList", "metadata": meta,
                               "items": [["metadata": ["name": .string("cm-\(n)-a")]], ["metadata": ["name": .string("cm-\(n)-b")]]]])
        }) { server, cms, _ in
            var pages = 0
            for try await page in cms.pages(ListOptions(limit: 2, resourceVersion: "0")) {
                pages += 1
                #expect(page.items.count == 2)
            }
            #expect(pages == 4)
            let all = try await cms.listAll(ListOptions(limit: 2))
            #expect(all.items.count == 8 && all.resourceVersion == "77")
            #expect(server.requests[0].query["resourceVersion"] == "0")
            #expect(server.requests[1].query["resourceVersion"] == nil, "no resourceVersion with a continue token")
        }
    }

    @Test func unauthorizedReRunsThePluginOnceAndSucceeds() async throws {
        let runs = Mutex(0)
        var creds = ClientConfiguration.Credentials()
        creds.exec = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "fake")
        let runner: CredentialProvider.PluginRunner = { _, _ in
            var c = ExecCredentialPlugin.Credential()
            c.token = "t\(runs.withLock { $0 += 1; return $0 })"
            return c
        }
        try await withClient(credentials: creds, pluginRunner: runner, handler: { r, _ in
            r.header("Authorization") == "Bearer t2" ? .json(200, Self.object) : .status(401, reason: "Unauthorized")
        }) { server, cms, clock in
            _ = try await cms.get("a")
            #expect(server.requests.map { $0.header("Authorization") } == ["Bearer t1", "Bearer t2"])
            #expect(clock.sleeps.isEmpty)
            // A credential the server keeps rejecting: one re-run, then the 401 surfaces.
            _ = try await cms.get("a")
            #expect(runs.withLock { $0 } == 2)
        }
        try await withClient(credentials: creds, pluginRunner: runner, handler: { _, _ in .status(401, reason: "Unauthorized") }) { server, cms, _ in
            await #expect { _ = try await cms.get("a") } throws: { ($0 as? KubeError)?.isUnauthorized == true }
            #expect(server.requests.count == 2)
        }
    }

    @Test func watchStreamsTypedEventsAndExpiredError() async throws {
        let lines = [
            #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"10"}}}"#,
            "",
            #"{"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"12"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}"#,
        ]
        try await withClient(handler: { _, _ in .lines(lines, delayMilliseconds: 5) }) { server, cms, _ in
            let stream = try await cms.watch(WatchOptions(resourceVersion: "9", timeoutSeconds: 5))
            var types: [WatchEvent.EventType] = []
            await #expect {
                for try await event in stream { types.append(event.type) }
            } throws: { error in
                let e = error as! KubeError
                return e.code == .expired && e.isExpired
            }
            #expect(types == [.added, .bookmark])
            let q = server.requests[0].query
            #expect(q["watch"] == "true" && q["allowWatchBookmarks"] == "true" && q["resourceVersion"] == "9" && q["timeoutSeconds"] == "5")
        }
    }

    @Test func watchGoneAtTheHeadIsExpiredToo() async throws {
        try await withClient(handler: { _, _ in .status(410, reason: "Gone", message: "too old") }) { server, cms, _ in
            await #expect { _ = try await cms.watch(WatchOptions(resourceVersion: "1")) } throws: { ($0 as? KubeError)?.code == .expired }
            #expect(server.requests.count == 1)
        }
    }

    @Test func silentWatchHitsTheIdleTimeout() async throws {
        try await withClient(handler: { _, _ in
            .lines([#"{"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}}}"#], thenStall: true)
        }) { _, cms, _ in
            // timeoutSeconds 0 + 1 s margin: the stalled connection is declared dead after ~1 s.
            let started = ContinuousClock.now
            let stream = try await cms.watch(WatchOptions(timeoutSeconds: 0, idleMargin: .seconds(1)))
            var events = 0
            await #expect {
                for try await _ in stream { events += 1 }
            } throws: { ($0 as? KubeError)?.transport?.code == .idleTimeout }
            #expect(events == 1)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func watchDecodesManyEventsIncrementally() async throws {
        let count = 20_000
        let line = #"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"ns","uid":"6f1d2c3a-0000-4000-8000-000000000000","resourceVersion":"RV","labels":{"app":"web","tier":"frontend"},"annotations":{"note":"some annotation text of moderate length"}},"data":{"config.yaml":"key: value\\nother: 42\\n","flag":"true"}}}"#
        let lines = (0..<count).map { line.replacingOccurrences(of: "RV", with: String($0)) }
        let bytes = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        try await withClient(handler: { _, _ in .lines(lines) }) { _, cms, _ in
            let started = ContinuousClock.now
            var n = 0
            var last = ""
            for try await event in try await cms.watch(WatchOptions(timeoutSeconds: 60)) {
                n += 1
                last = event.resourceVersion ?? ""
            }
            let elapsed = ContinuousClock.now - started
            #expect(n == count && last == String(count - 1))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("[measure] watch over loopback HTTP/1.1: \(count) events (\(bytes / 1024) KiB) decoded in \(elapsed), \(Int(Double(count) / seconds)) events/s")
        }
    }

    @Test func rateLimitAppliesToEveryRequest() async throws {
        let server = try FakeAPIServer { _, _ in .json(200, Self.object) }
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.rateLimit = RateLimit(qps: 10, burst: 2)
        let clock = TestClock()
        try await KubeClient.withClient(config, options: KubeClient.Options(clock: clock.kubeClock)) { client in
            let cms = client.resource(Self.configMaps, namespace: "ns")
            for _ in 0..<4 { _ = try await cms.get("a") }
            #expect(clock.sleeps == [.milliseconds(100), .milliseconds(100)])
        }
    }

    @Test func namespaceRules() async throws {
        try await withClient(handler: { _, _ in .json(200, Self.object) }) { _, cms, _ in
            let all = cms.inNamespace(nil)
            await #expect { _ = try await all.get("a") } throws: { ($0 as? KubeError)?.code == .invalidRequest }
            var other = Self.object
            other["metadata"]?["namespace"] = "elsewhere"
            await #expect { _ = try await cms.create(other) } throws: { ($0 as? KubeError)?.code == .invalidRequest }
            _ = try await all.create(other)
        }
    }
}
