import Foundation
import Testing
import TendHTTP
import TendMeta
import TendValue
import TendTesting
@testable import TendKube

/// TendKube against the real local control plane (kube-apiserver 1.20.2 over TLS and HTTP/2).
/// Each test works in its own namespace and deletes it at the end.
@Suite(.serialized, .enabled(if: KubeTestCluster.shouldRun, "no local cluster configured (TEND_CLUSTER_DIR)"),
       .timeLimit(.minutes(5)), .awaitsCleanup)
struct KubeClusterTests {
    let cluster: KubeTestCluster

    init() throws {
        cluster = try KubeTestCluster.require()
    }

    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let configMapKind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let secretKind = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    func withNamespace<R>(
        _ prefix: String, configuration: ClientConfiguration? = nil, options: KubeClient.Options = KubeClient.Options(),
        _ body: (KubeClient, String) async throws -> R
    ) async throws -> R {
        try await KubeClient.withClient(configuration ?? cluster.configuration, options: options) { client in
            let name = "tend-kube-\(prefix)-\(UInt32.random(in: 0..<UInt32.max))"
            let namespaces = try await client.resource(Self.namespaceKind)
            _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
            do {
                let result = try await body(client, name)
                _ = try? await namespaces.delete(name)
                return result
            } catch {
                _ = try? await namespaces.delete(name)
                throw error
            }
        }
    }

    static func configMap(_ name: String, data: Value = ["k": "v"], labels: Value = [:]) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": labels], "data": data]
    }

    // MARK: Authentication

    @Test func clientCertificateAndTokenAuthentication() async throws {
        // Client certificate: the admin kubeconfig.
        #expect(cluster.configuration.credentials.clientCertificate != nil)
        try await KubeClient.withClient(cluster.configuration) { client in
            let version = try await client.serverVersion()
            #expect(version["gitVersion"]?.stringValue?.hasPrefix("v1.20") == true)
        }
        // Bearer token: the token kubeconfig, loaded the way kubectl would.
        let tokenConfig = try KubeConfigLoader(explicitPath: try cluster.file("kubeconfig-token"), environment: [:]).load()
        #expect(tokenConfig.credentials.token != nil && tokenConfig.credentials.clientCertificate == nil)
        try await KubeClient.withClient(tokenConfig) { client in
            let list = try await client.resource(Self.namespaceKind).list(ListOptions(limit: 1))
            #expect(list.items.count == 1)
        }
        // A wrong token is a typed 401, not retried.
        var wrong = ClientConfiguration.Credentials()
        wrong.token = "not-the-token"
        try await KubeClient.withClient(cluster.configuration(wrong)) { client in
            await #expect { _ = try await client.serverVersion() } throws: { ($0 as? KubeError)?.isUnauthorized == true }
        }
        // A token file, re-read (here: right after a 401).
        let dir = TempDir()
        let tokenFile = dir.write("token", "stale-token")
        var fileCreds = ClientConfiguration.Credentials()
        fileCreds.tokenFile = tokenFile
        try await KubeClient.withClient(cluster.configuration(fileCreds)) { client in
            await #expect { _ = try await client.serverVersion() } throws: { ($0 as? KubeError)?.isUnauthorized == true }
            dir.write("token", try cluster.read("token") + "\n")
            _ = try await client.serverVersion()
        }
    }

    /// Writes a plugin script that prints `cred-<n>.json` on its n-th run (the last one after that).
    func plugin(in dir: TempDir, credentials: [String]) -> KubeConfig.ExecConfig {
        for (i, c) in credentials.enumerated() { dir.write("cred-\(i + 1).json", c) }
        let script = dir.write("plugin.sh", """
            #!/bin/sh
            set -e
            cd "$(dirname "$0")"
            n=$(( $(cat runs 2>/dev/null || echo 0) + 1 ))
            echo $n > runs
            if [ -f cred-$n.json ]; then cat cred-$n.json; else cat cred-\(credentials.count).json; fi
            """, mode: 0o755)
        return KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1", command: script)
    }

    func execCredential(token: String? = nil, certificate: String? = nil, key: String? = nil, expires: Date? = nil) -> String {
        var status: Value = .emptyObject
        if let token { status["token"] = .string(token) }
        if let certificate, let key {
            status["clientCertificateData"] = .string(certificate)
            status["clientKeyData"] = .string(key)
        }
        if let expires { status["expirationTimestamp"] = .string(RFC3339.format(expires)) }
        return JSON.serialize(["apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": status])
    }

    func runs(_ dir: TempDir) -> Int {
        Int((try? String(contentsOfFile: dir.path + "/runs", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
    }

    @Test func execPluginCachedUntilExpiry() async throws {
        let token = try cluster.read("token")
        let dir = TempDir()
        // Each run's credential expires 3 s after the test starts it; the second one later.
        let first = Date().addingTimeInterval(3)
        var creds = ClientConfiguration.Credentials()
        creds.exec = plugin(in: dir, credentials: [
            execCredential(token: token, expires: first), execCredential(token: token, expires: Date().addingTimeInterval(3600)),
        ])
        try await KubeClient.withClient(cluster.configuration(creds)) { client in
            _ = try await client.serverVersion()
            _ = try await client.serverVersion()
            #expect(runs(dir) == 1, "cached while valid")
            let wait = first.timeIntervalSinceNow + 0.5
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            _ = try await client.serverVersion()
            #expect(runs(dir) == 2, "re-run after expirationTimestamp")
            _ = try await client.serverVersion()
            #expect(runs(dir) == 2)
        }
    }

    @Test func execPluginReRunOnceAfter401() async throws {
        let token = try cluster.read("token")
        let dir = TempDir()
        var creds = ClientConfiguration.Credentials()
        creds.exec = plugin(in: dir, credentials: [execCredential(token: "wrong-token"), execCredential(token: token)])
        try await KubeClient.withClient(cluster.configuration(creds)) { client in
            let version = try await client.serverVersion()
            #expect(version["major"] == "1")
            #expect(runs(dir) == 2)
            #expect(await client.credentials.pluginRuns == 2)
        }
    }

    @Test func execPluginClientCertificateRebuildsTheTransport() async throws {
        let certificate = try cluster.read("admin.crt") + "\n"
        let key = try cluster.read("admin.key") + "\n"
        let dir = TempDir()
        var creds = ClientConfiguration.Credentials()
        creds.exec = plugin(in: dir, credentials: [execCredential(certificate: certificate, key: key)])
        try await KubeClient.withClient(cluster.configuration(creds)) { client in
            let list = try await client.resource(Self.namespaceKind).list(ListOptions(limit: 1))
            #expect(list.items.count == 1)
            #expect(client.transportRebuilds == 1)
        }
    }

    // MARK: Core kinds

    @Test func crudOnConfigMapsAndSecrets() async throws {
        try await withNamespace("crud") { client, ns in
            let cms = try await client.resource(Self.configMapKind, namespace: ns)
            #expect(cms.resource.namespaced && cms.resource.name == "configmaps")
            let created = try await cms.create(Self.configMap("one", labels: ["app": "a"]))
            #expect(created["metadata"]?["uid"]?.stringValue != nil)
            #expect(try await cms.get("one")["data"]?["k"] == "v")

            // Dry run: validated, returned, not stored.
            let dry = try await cms.create(Self.configMap("ghost"), options: WriteOptions(dryRun: true))
            #expect(dry["metadata"]?["name"] == "ghost")
            await #expect { _ = try await cms.get("ghost") } throws: { ($0 as? KubeError)?.isNotFound == true }

            // Update with the current resourceVersion works; the stale one is a conflict.
            var changed = created
            changed["data"] = ["k": "v2"]
            let updated = try await cms.update(changed)
            #expect(updated["data"]?["k"] == "v2")
            changed["data"] = ["k": "v3"]
            await #expect { _ = try await cms.update(changed) } throws: { error in
                let e = error as! KubeError
                return e.isConflict && e.status?.reason == "Conflict" && e.request.verb == "update" && e.request.name == "one"
            }

            // Patches.
            let merged = try await cms.patch("one", .merge(["data": ["m": "1"]]))
            #expect(merged["data"]?["m"] == "1" && merged["data"]?["k"] == "v2")
            let patched = try await cms.patch("one", .json([["op": "replace", "path": "/data/m", "value": "2"]]))
            #expect(patched["data"]?["m"] == "2")
            let strategic = try await cms.patch("one", .strategicMerge(["metadata": ["labels": ["extra": "y"]]]))
            #expect(strategic["metadata"]?["labels"]?["extra"] == "y")

            // Selectors.
            _ = try await cms.create(Self.configMap("two", labels: ["app": "b"]))
            #expect(try await cms.list(ListOptions(labelSelector: "app=a")).items.map { $0["metadata"]?["name"] } == ["one"])
            #expect(try await cms.list(ListOptions(labelSelector: "app in (a,b),extra!=y")).items.map { $0["metadata"]?["name"] } == ["two"])
            #expect(try await cms.list(ListOptions(fieldSelector: "metadata.name=two")).items.count == 1)
            let any = try await cms.list(ListOptions(resourceVersion: "0", resourceVersionMatch: .notOlderThan))
            #expect(any.items.count >= 2)

            // Delete with preconditions: a wrong uid is a conflict; the right one deletes.
            await #expect {
                _ = try await cms.delete("one", options: DeleteOptions(preconditionUID: "00000000-0000-0000-0000-000000000000"))
            } throws: { ($0 as? KubeError)?.isConflict == true }
            let uid = try #require(created["metadata"]?["uid"]?.stringValue)
            _ = try await cms.delete("one", options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: uid, dryRun: true))
            _ = try await cms.get("one")
            _ = try await cms.delete("one", options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid))
            await #expect { _ = try await cms.get("one") } throws: { ($0 as? KubeError)?.isNotFound == true }

            // Secrets, found by short name through discovery, and an AlreadyExists.
            let secrets = try await client.resource(named: "secret", namespace: ns)
            #expect(secrets.resource.groupVersionKind == Self.secretKind)
            let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "type": "Opaque",
                                 "stringData": ["password": "hunter2"]]
            _ = try await secrets.create(secret)
            #expect(try await secrets.get("s")["data"]?["password"] == "aHVudGVyMg==")
            await #expect { _ = try await secrets.create(secret) } throws: { ($0 as? KubeError)?.isAlreadyExists == true }
            #expect(try await client.resource(named: "cm", namespace: ns).resource.name == "configmaps")
        }
    }

    @Test func paginationOverSevenObjects() async throws {
        try await withNamespace("pages") { client, ns in
            let cms = try await client.resource(Self.configMapKind, namespace: ns)
            for i in 0..<7 { _ = try await cms.create(Self.configMap("cm-\(i)", labels: ["set": "p"])) }
            var sizes: [Int] = []
            var tokens = 0
            for try await page in cms.pages(ListOptions(labelSelector: "set=p", limit: 2)) {
                sizes.append(page.items.count)
                if page.continueToken != nil { tokens += 1 }
            }
            #expect(sizes == [2, 2, 2, 1])
            #expect(tokens == 3)
            let all = try await cms.listAll(ListOptions(labelSelector: "set=p", limit: 2))
            #expect(all.items.map { $0["metadata"]?["name"]?.stringValue ?? "" } == (0..<7).map { "cm-\($0)" })
            #expect(!all.resourceVersion.isEmpty)
        }
    }

    @Test func serverSideApplyConflictThenForce() async throws {
        try await withNamespace("apply") { client, ns in
            let cms = try await client.resource(Self.configMapKind, namespace: ns)
            let a = try await cms.apply(Self.configMap("shared", data: ["owned": "by-a"]), fieldManager: "manager-a")
            #expect(a["data"]?["owned"] == "by-a")
            // Dry-run apply changes nothing.
            _ = try await cms.apply(Self.configMap("shared", data: ["owned": "by-a", "x": "y"]), fieldManager: "manager-a", dryRun: true)
            #expect(try await cms.get("shared")["data"]?["x"] == nil)
            // Another manager setting the same field: conflict, naming the field and the owner.
            await #expect {
                _ = try await cms.apply(Self.configMap("shared", data: ["owned": "by-b"]), fieldManager: "manager-b")
            } throws: { error in
                let e = error as! KubeError
                return e.isConflict && e.request.verb == "apply" && e.status?.causes.contains { $0.field == ".data.owned" } == true
                    && e.message.contains("manager-a")
            }
            let forced = try await cms.apply(Self.configMap("shared", data: ["owned": "by-b"]), fieldManager: "manager-b", force: true)
            #expect(forced["data"]?["owned"] == "by-b")
            let managers = (forced["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
            #expect(managers.contains("manager-b"))
        }
    }

    // MARK: CRDs, discovery refresh, status subresource

    static func widgetCRD(group: String) -> Value {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("widgets.\(group)")],
            "spec": [
                "group": .string(group), "scope": "Namespaced",
                "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]],
                "versions": [[
                    "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                    "schema": ["openAPIV3Schema": [
                        "type": "object",
                        "properties": [
                            "spec": ["type": "object", "properties": ["size": ["type": "integer"], "color": ["type": "string"]]],
                            "status": ["type": "object", "properties": ["phase": ["type": "string"], "observed": ["type": "integer"]]],
                        ],
                    ]],
                ]],
            ],
        ]
    }

    /// Creates the CRD and waits until it is Established.
    func install(_ crd: Value, _ crds: ResourceClient) async throws {
        let name = try #require(crd["metadata"]?["name"]?.stringValue)
        _ = try await crds.create(crd)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let conditions = try await crds.get(name)["status"]?["conditions"]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"] == "Established" && $0["status"] == "True" }) { return }
            try #require(ContinuousClock.now < deadline, "CRD not established in 30 s")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test func customResourceDiscoveredWithoutNewClientAndStatusSubresource() async throws {
        let group = "t\(UInt32.random(in: 0..<UInt32.max)).tend.example"
        let crdName = "widgets.\(group)"
        let crd = Self.widgetCRD(group: group)
        let options = KubeClient.Options(discoveryRefreshInterval: .seconds(1))
        try await withNamespace("crd", options: options) { client, ns in
            let widgetKind = GroupVersionKind(apiVersion: "\(group)/v1", kind: "Widget")!
            // Discovery is loaded (and the kind is unknown) before the CRD exists.
            await #expect { _ = try await client.resource(widgetKind, namespace: ns) } throws: { ($0 as? KubeError)?.code == .unknownResource }
            let crds = try await client.resource(Self.crdKind)
            try await install(crd, crds)
            AwaitedCleanup.add { _ = try? await crds.delete(crdName) }
            let deadline = ContinuousClock.now + .seconds(30)
            // The same client finds it: a miss refreshes discovery (at most once a second here).
            var widgets: ResourceClient?
            while widgets == nil {
                do {
                    widgets = try await client.resource(widgetKind, namespace: ns)
                } catch let error as KubeError where error.code == .unknownResource {
                    try #require(ContinuousClock.now < deadline, "discovery did not pick up the CRD")
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            let w = try #require(widgets)
            #expect(w.resource.hasStatus && w.resource.namespaced && w.resource.shortNames == ["wdg"])
            #expect(try await client.resource(named: "wdg", namespace: ns).resource.kind == "Widget")
            #expect(try await client.resource(named: "widgets.\(group)", namespace: ns).resource.kind == "Widget")

            let object: Value = ["apiVersion": .string("\(group)/v1"), "kind": "Widget", "metadata": ["name": "w1"],
                                 "spec": ["size": 3, "color": "red"]]
            let created = try await w.create(object)
            #expect(created["spec"]?["size"] == 3)

            // Status writes: update, patch, apply; each leaves spec alone.
            var withStatus = created
            withStatus["status"] = ["phase": "Ready"]
            withStatus["spec"] = ["size": 99, "color": "red"]
            let s1 = try await w.updateStatus(withStatus)
            #expect(s1["status"]?["phase"] == "Ready" && s1["spec"]?["size"] == 3)
            let s2 = try await w.patchStatus("w1", .merge(["status": ["observed": 1]]))
            #expect(s2["status"]?["observed"] == 1 && s2["status"]?["phase"] == "Ready")
            let s3 = try await w.applyStatus(
                ["apiVersion": .string("\(group)/v1"), "kind": "Widget", "metadata": ["name": "w1"], "status": ["phase": "Applied"]],
                fieldManager: "tend-status", force: true)
            #expect(s3["status"]?["phase"] == "Applied")
            let dry = try await w.patchStatus("w1", .merge(["status": ["phase": "DryRun"]]), options: WriteOptions(dryRun: true))
            #expect(dry["status"]?["phase"] == "DryRun")
            #expect(try await w.get("w1")["status"]?["phase"] == "Applied")
            // A main-resource update does not change status.
            var spec = try await w.get("w1")
            spec["spec"]?["size"] = 4
            spec["status"] = ["phase": "Ignored"]
            let u = try await w.update(spec)
            #expect(u["spec"]?["size"] == 4 && u["status"]?["phase"] == "Applied")
            // Server-side apply on the custom resource.
            let applied = try await w.apply(
                ["apiVersion": .string("\(group)/v1"), "kind": "Widget", "metadata": ["name": "w2", "namespace": .string(ns)],
                 "spec": ["size": 1]], fieldManager: "tend")
            #expect(applied["spec"]?["size"] == 1)
            #expect(try await w.list().items.count == 2)
            _ = try await crds.delete(crdName)
        }
    }

    // MARK: Watch

    @Test func watchResumesFromLastResourceVersionAndParsesBookmarks() async throws {
        try await withNamespace("watch") { client, ns in
            let cms = try await client.resource(Self.configMapKind, namespace: ns)
            let start = try await cms.list()
            _ = try await cms.create(Self.configMap("w1"))
            _ = try await cms.create(Self.configMap("w2"))

            // Watch from the list: both ADDED, then stop.
            var lastVersion = start.resourceVersion
            let stream = try await cms.watch(WatchOptions(resourceVersion: start.resourceVersion, timeoutSeconds: 30))
            var seen: [String] = []
            for try await event in stream {
                seen.append("\(event.type.rawValue) \(event.object["metadata"]?["name"]?.stringValue ?? "")")
                lastVersion = event.resourceVersion ?? lastVersion
                if seen.count == 2 { break }
            }
            #expect(seen == ["ADDED w1", "ADDED w2"])

            // Changes made while not watching; resuming from the last event sees exactly those.
            _ = try await cms.patch("w1", .merge(["data": ["k": "changed"]]))
            _ = try await cms.delete("w2")
            let resumed = try await cms.watch(WatchOptions(resourceVersion: lastVersion, timeoutSeconds: 30))
            var after: [String] = []
            for try await event in resumed {
                after.append("\(event.type.rawValue) \(event.object["metadata"]?["name"]?.stringValue ?? "")")
                if after.count == 2 { break }
            }
            #expect(after == ["MODIFIED w1", "DELETED w2"])

            // A short watch with bookmarks: it ends by itself after timeoutSeconds; any BOOKMARK parses
            // and carries a resourceVersion (1.20 sends them rarely; not required here).
            let short = try await cms.watch(WatchOptions(resourceVersion: lastVersion, allowWatchBookmarks: true, timeoutSeconds: 3))
            var kinds: [WatchEvent.EventType] = []
            for try await event in short {
                kinds.append(event.type)
                if event.type == .bookmark { #expect(event.resourceVersion != nil) }
            }
            #expect(kinds.allSatisfy { $0 == .bookmark || $0 == .modified || $0 == .deleted })
            print("[measure] bookmarks in a 3 s watch: \(kinds.filter { $0 == .bookmark }.count)")
        }
    }

    @Test func watchFromCompactedResourceVersionIsExpired() async throws {
        let endpoint = try cluster.read("etcd-endpoint")
        try await withNamespace("gone") { client, ns in
            let cms = try await client.resource(Self.configMapKind, namespace: ns)
            let first = try await cms.create(Self.configMap("old"))
            let oldVersion = try #require(first["metadata"]?["resourceVersion"]?.stringValue)
            for i in 0..<5 { _ = try await cms.patch("old", .merge(["data": ["i": .string("\(i)")]])) }
            // Compact etcd up to its current revision.
            let status = try runCommand("etcdctl", ["--endpoints=\(endpoint)", "endpoint", "status", "-w", "json"], environment: ["ETCDCTL_API": "3"])
            let parsed = try JSON.parse(status)
            let revision = try #require((parsed[0] ?? parsed)["Status"]?["header"]?["revision"]?.intValue)
            _ = try runCommand("etcdctl", ["--endpoints=\(endpoint)", "compact", "\(revision)"], environment: ["ETCDCTL_API": "3"])
            // An exact list at the old version is gone now.
            await #expect {
                _ = try await cms.list(ListOptions(resourceVersion: oldVersion, resourceVersionMatch: .exact))
            } throws: { ($0 as? KubeError)?.isExpired == true }
            // A watch from a version older than the API server's window is a typed expired error.
            // The window of an existing resource's watch cache reaches back to the API server's
            // start, so use a resource whose cache starts now: a CRD installed after the compaction.
            let group = "t\(UInt32.random(in: 0..<UInt32.max)).tend.example"
            let crds = try await client.resource(Self.crdKind)
            try await install(Self.widgetCRD(group: group), crds)
            AwaitedCleanup.add { _ = try? await crds.delete("widgets.\(group)") }
            let widgets = client.resource(
                APIResource(groupVersion: GroupVersion(group: group, version: "v1"), name: "widgets", kind: "Widget", namespaced: true),
                namespace: ns)
            await #expect {
                let stream = try await widgets.watch(WatchOptions(resourceVersion: oldVersion, timeoutSeconds: 10))
                for try await _ in stream {}
            } throws: { error in
                let e = error as! KubeError
                print("[info] watch from a compacted resourceVersion: \(e)")
                return e.code == .expired && e.status?.code == 410
            }
            _ = try await crds.delete("widgets.\(group)")
        }
    }

    // MARK: Rate limit

    @Test func rateLimitBoundsRequestRateAgainstTheServer() async throws {
        func timeGets(_ limit: RateLimit, count: Int) async throws -> Duration {
            var config = cluster.configuration
            config.rateLimit = limit
            return try await KubeClient.withClient(config) { client in
                let namespaces = try await client.resource(Self.namespaceKind)
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<count { group.addTask { _ = try await namespaces.get("default") } }
                    try await group.waitForAll()
                }
                return ContinuousClock.now - started
            }
        }
        // Discovery (before the timer) leaves the bucket empty; the 100 GETs then go at 50/s: about 2 s.
        let limited = try await timeGets(RateLimit(qps: 50, burst: 10), count: 100)
        let unlimited = try await timeGets(.unlimited, count: 100)
        print("[measure] 100 concurrent GETs over HTTP/2: \(unlimited) unlimited, \(limited) at 50 qps / burst 10")
        #expect(limited >= .seconds(1.5), "100 requests at 50/s need about 2 s")
        #expect(limited > unlimited)
    }

    // MARK: Discovery

    @Test func discoveryMapsKindsScopesAndSubresources() async throws {
        try await KubeClient.withClient(cluster.configuration) { client in
            let started = ContinuousClock.now
            let mapping = try await client.discovery.mapping()
            print("[measure] discovery of \(mapping.resources.count) resources: \(ContinuousClock.now - started)")
            let deployments = try #require(mapping.resource(for: GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!))
            #expect(deployments.name == "deployments" && deployments.namespaced && deployments.hasStatus
                    && deployments.subresources["scale"] != nil && deployments.isPreferredVersion)
            let ns = try #require(mapping.resource(for: Self.namespaceKind))
            #expect(!ns.namespaced && ns.verbs.isSuperset(of: ["get", "list", "watch", "create", "delete"]))
            #expect(try await client.resource(named: "deploy").resource.groupVersionResource.description == "deployments.v1.apps")
            #expect(try await client.resource(named: "pods").resource.shortNames.contains("po"))
            await #expect { _ = try await client.resource(named: "nonsense") } throws: { ($0 as? KubeError)?.code == .unknownResource }
            let refreshes = await client.discovery.refreshCount
            #expect(refreshes <= 2, "misses are rate-limited")
        }
    }
}
