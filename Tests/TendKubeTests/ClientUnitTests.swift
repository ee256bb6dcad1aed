import Foundation
import Testing
import TendMeta
import TendValue
@testable import TendKube

@Suite struct URLAndPathTests {
    @Test func segmentsAndQueryValuesAreEncoded() {
        #expect(URLEncoding.encode("a b/c?d&e=f+g%h~_.-") == "a%20b%2Fc%3Fd%26e%3Df%2Bg%25h~_.-")
        #expect(URLEncoding.encode("é") == "%C3%A9")
        #expect(URLEncoding.query([("labelSelector", "app in (a,b),tier!=db"), ("limit", "2")])
            == "?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb&limit=2")
        #expect(URLEncoding.query([]) == "")
    }

    @Test func resourcePaths() {
        let core = GroupVersion(group: "", version: "v1")
        let apps = GroupVersion(group: "apps", version: "v1")
        #expect(ResourcePath(groupVersion: core, resource: "configmaps", namespace: "ns").path == "/api/v1/namespaces/ns/configmaps")
        #expect(ResourcePath(groupVersion: core, resource: "namespaces", name: "x").path == "/api/v1/namespaces/x")
        #expect(ResourcePath(groupVersion: apps, resource: "deployments", namespace: "a", name: "web", subresource: "status").path
            == "/apis/apps/v1/namespaces/a/deployments/web/status")
        #expect(ResourcePath(groupVersion: apps, resource: "deployments", namespace: "a", name: "we/b").path
            == "/apis/apps/v1/namespaces/a/deployments/we%2Fb")
    }

    @Test func optionsBecomeQueryItems() {
        let list = ListOptions(labelSelector: "a=b", fieldSelector: "metadata.name=x", limit: 2, continueToken: "tok",
                               resourceVersion: "0", resourceVersionMatch: .notOlderThan)
        #expect(list.queryItems.map { "\($0.0)=\($0.1)" } == [
            "labelSelector=a=b", "fieldSelector=metadata.name=x", "limit=2", "continue=tok", "resourceVersion=0",
            "resourceVersionMatch=NotOlderThan",
        ])
        #expect(WriteOptions(dryRun: true, fieldManager: "tend").queryItems.map(\.0) == ["dryRun", "fieldManager"])
        #expect(ApplyOptions(fieldManager: "m", force: true, dryRun: true).queryItems.map { "\($0.0)=\($0.1)" }
            == ["fieldManager=m", "force=true", "dryRun=All"])
        let delete = DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u", preconditionResourceVersion: "7", dryRun: true)
        #expect(JSON.serialize(delete.body)
            == #"{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground","preconditions":{"uid":"u","resourceVersion":"7"},"dryRun":["All"]}"#)
        let watch = WatchOptions(resourceVersion: "42", timeoutSeconds: 10)
        #expect(watch.queryItems.map { "\($0.0)=\($0.1)" } == ["watch=true", "resourceVersion=42", "allowWatchBookmarks=true", "timeoutSeconds=10"])
    }

    @Test func listItemsGetTypeMetaInFront() {
        let item: Value = ["metadata": ["name": "a"], "data": ["k": "v"]]
        let out = ResourceClient.withTypeMeta(item, apiVersion: "v1", kind: "ConfigMap")
        #expect(out.objectValue?.keys == ["apiVersion", "kind", "metadata", "data"])
        let typed: Value = ["kind": "X", "metadata": [:]]
        #expect(ResourceClient.withTypeMeta(typed, apiVersion: "v1", kind: "ConfigMap") == typed)
    }
}

@Suite struct WatchDecodingTests {
    let request = RequestDescription(verb: "watch", resource: "configmaps.v1", namespace: "ns")

    func decode(_ s: String) throws(KubeError) -> WatchEvent { try WatchEvent.decode(Array(s.utf8), request: request) }

    @Test func eventTypes() throws {
        let added = try decode(#"{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"12"}}}"#)
        #expect(added.type == .added && added.resourceVersion == "12" && added.object["metadata"]?["name"] == "a")
        #expect(try decode(#"{"type":"MODIFIED","object":{}}"#).type == .modified)
        #expect(try decode(#"{"type":"DELETED","object":{}}"#).type == .deleted)
        let bookmark = try decode(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"99","creationTimestamp":null}}}"#)
        #expect(bookmark.type == .bookmark && bookmark.resourceVersion == "99")
        let error = try decode(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"boom","reason":"InternalError","code":500}}"#)
        #expect(error.type == .error && error.status?.code == 500 && error.status?.message == "boom")
    }

    @Test func goneIsTypedExpired() {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (200)","reason":"Expired","code":410}}"#
        #expect {
            _ = try decode(line)
        } throws: { error in
            guard let e = error as? KubeError else { return false }
            return e.code == .expired && e.isExpired && e.status?.code == 410 && e.description.contains("watch configmaps.v1 in namespace ns")
        }
    }

    @Test func malformedLinesAreDecodingErrors() {
        for line in [#"{"type":"ADDED""#, #"{"object":{}}"#, #"{"type":"WAT","object":{}}"#, "[]"] {
            #expect { _ = try decode(line) } throws: { ($0 as? KubeError)?.code == .decoding }
        }
    }
}

@Suite struct CredentialProviderTests {
    @Test func tokenFileIsReReadAfterAMinuteAndAfter401() async throws {
        let dir = TempDir()
        let file = dir.write("token", "first\n")
        let clock = TestClock()
        var creds = ClientConfiguration.Credentials()
        creds.tokenFile = file
        let provider = CredentialProvider(credentials: creds, server: "https://x", clock: clock.kubeClock)
        #expect(try await provider.current().authorization == "Bearer first")
        dir.write("token", "second")
        clock.advance(.seconds(30))
        #expect(try await provider.current().authorization == "Bearer first", "cached for a minute")
        clock.advance(.seconds(30))
        let second = try await provider.current()
        #expect(second.authorization == "Bearer second")
        dir.write("token", "third")
        #expect(await provider.invalidate(second))
        #expect(try await provider.current().authorization == "Bearer third", "a 401 forces a re-read")
        try FileManager.default.removeItem(atPath: file)
        clock.advance(.seconds(61))
        #expect(try await provider.current().authorization == "Bearer third", "a vanished file keeps the last token")
    }

    @Test func staticCredentials() async throws {
        var creds = ClientConfiguration.Credentials()
        creds.basicAuth = ("user", "pa:ss")
        let basic = CredentialProvider(credentials: creds, server: "https://x")
        let current = try await basic.current()
        #expect(current.authorization == "Basic " + Data("user:pa:ss".utf8).base64EncodedString())
        #expect(await basic.invalidate(current) == false, "nothing to refresh")
        #expect(!"\(current)".contains("dXNlcjpwYTpzcw"))
        creds = ClientConfiguration.Credentials()
        creds.token = "tok"
        #expect(try await CredentialProvider(credentials: creds, server: "https://x").current().authorization == "Bearer tok")
    }

    /// A fake plugin runner handing out numbered tokens, expiring `lifetime` after the clock's now.
    final class FakePlugin: Sendable {
        let runs = Mutex(0)
        let clock: TestClock
        let lifetime: Duration?
        init(clock: TestClock, lifetime: Duration?) {
            self.clock = clock
            self.lifetime = lifetime
        }
        var runner: CredentialProvider.PluginRunner {
            { _, _ in
                let n = self.runs.withLock { $0 += 1; return $0 }
                var c = ExecCredentialPlugin.Credential()
                c.token = "token-\(n)"
                if let lifetime = self.lifetime { c.expiration = self.clock.wall + lifetime.secondsValue }
                return c
            }
        }
    }

    @Test func execCredentialCachedUntilExpiryAndReRunOnceAfter401() async throws {
        let clock = TestClock()
        let plugin = FakePlugin(clock: clock, lifetime: .seconds(10))
        var creds = ClientConfiguration.Credentials()
        creds.exec = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "fake")
        let provider = CredentialProvider(credentials: creds, server: "https://x", clock: clock.kubeClock, runPlugin: plugin.runner)
        // Concurrent first use: one run.
        async let a = provider.current()
        async let b = provider.current()
        let (ca, cb) = try await (a, b)
        #expect(ca.authorization == "Bearer token-1" && cb.authorization == "Bearer token-1")
        clock.advance(.seconds(9))
        #expect(try await provider.current().authorization == "Bearer token-1")
        clock.advance(.seconds(1))
        let second = try await provider.current()
        #expect(second.authorization == "Bearer token-2", "re-run once expired")
        #expect(await provider.invalidate(second))
        #expect(await provider.invalidate(second), "a second 401 on the same credential does not run twice")
        #expect(try await provider.current().authorization == "Bearer token-3")
        #expect(await provider.pluginRuns == 3)
        #expect(plugin.runs.withLock { $0 } == 3)
    }
}

import Synchronization

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
