import Foundation
import Logging
import Synchronization
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue
import TendYAML

/// The shipped rules (`rules/namespace-bootstrap`, `rules/replicate`) and `spec.patch` against the
/// real control plane. An extension of ``EngineClusterTests`` so these run one at a time with the
/// webapp test (the shared-informer test installs the WebApp CRD that test removes and recreates).
/// Every test uses its own namespaces (random suffixes) and removes them.
extension EngineClusterTests {
    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let secret = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
    static let resourceQuota = GroupVersionKind(apiVersion: "v1", kind: "ResourceQuota")!
    static let limitRange = GroupVersionKind(apiVersion: "v1", kind: "LimitRange")!
    static let networkPolicy = GroupVersionKind(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy")!
    static let roleBinding = GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    /// Every rule in a file under `rules/`.
    static func shippedRules(_ path: String) throws -> [Rule] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loaded = RuleLoader().load(paths: [root.appendingPathComponent(path).path])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        #expect(!loaded.rules.isEmpty)
        return loaded.rules
    }

    static func suffix() -> String { String(UInt32.random(in: 0...UInt32.max), radix: 36) }

    /// Starts an engine for `rules`; cancel the returned task to stop it.
    /// An engine over `rules`, its inventory record in `inventoryNamespace` (a test's own, when the
    /// kinds other tests recorded for rules of the same names must not count).
    func start(_ rules: [Rule], _ client: KubeClient, logger: Logger? = nil, inventoryNamespace: String = "default") -> (Engine, Task<Void, any Error>) {
        let logger = logger ?? { var l = Logger(label: "engine-test"); l.logLevel = .warning; return l }()
        var options = EngineOptions()
        options.inventoryNamespace = inventoryNamespace
        let engine = Engine(rules: rules, client: client, options: options, logger: logger)
        return (engine, Task { try await engine.run() })
    }

    func createNamespace(_ client: KubeClient, _ name: String, labels: [String: String] = [:]) async throws {
        let namespaces = try await client.resource(Self.namespaceKind)
        var labelObject = Value.Object()
        for (k, v) in labels { labelObject[k] = .string(v) }
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": .object(labelObject)]])
    }

    /// Deletes namespaces, first releasing objects a stopped engine would leave with Tend's finalizer
    /// (they would keep the namespace terminating forever).
    func deleteNamespaces(_ client: KubeClient, _ names: [String]) async {
        for ns in names {
            for kind in [Self.configMap, Self.secret] {
                guard let resource = try? await client.resource(kind, namespace: ns), let list = try? await resource.list() else { continue }
                for item in list.items where item["metadata"]?["finalizers"] != nil {
                    _ = try? await resource.patch(item["metadata"]?["name"]?.stringValue ?? "", .merge(["metadata": ["finalizers": .null]]))
                }
            }
            _ = try? await client.resource(Self.namespaceKind).delete(ns)
        }
    }

    func label(_ client: KubeClient, namespace: String, _ labels: Value) async throws {
        _ = try await client.resource(Self.namespaceKind).patch(namespace, .merge(["metadata": ["labels": labels]]))
    }

    // MARK: namespace-bootstrap

    @Test func namespaceBootstrapRuleGivesTeamNamespacesTheirBaseline() async throws {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        let rules = try Self.shippedRules("rules/namespace-bootstrap/rule.yaml")
        let team = "nb-team-\(Self.suffix())", plain = "nb-plain-\(Self.suffix())"
        let (_, running) = start(rules, client)
        defer { running.cancel() }
        try await createNamespace(client, plain)
        try await createNamespace(client, team, labels: ["tend.dev/profile": "team", "tend.dev/team": "qa", "tend.dev/quota-pods": "7"])
        let namespace = try #require(await get(client, Self.namespaceKind, "", team))
        let uid = try #require(namespace["metadata"]?["uid"]?.stringValue)

        // The four children appear in the namespace, each owned by the Namespace (a cluster-scoped owner).
        let children: [(GroupVersionKind, String)] = [
            (Self.resourceQuota, "team-quota"), (Self.limitRange, "team-limits"), (Self.networkPolicy, "default-deny"), (Self.roleBinding, "team-edit"),
        ]
        await poll(until: "four children") {
            for (kind, name) in children where await self.get(client, kind, team, name) == nil { return false }
            return true
        }
        for (kind, name) in children {
            let child = try #require(await get(client, kind, team, name))
            let owner = child["metadata"]?["ownerReferences"]?[0]
            #expect(owner?["kind"] == "Namespace" && owner?["name"] == .string(team), "\(kind.kind) owner")
            #expect(owner?["uid"] == .string(uid) && owner?["controller"] == true, "\(kind.kind) owner uid")
            #expect(child["metadata"]?["labels"]?["tend.dev/rule"] == "namespace-bootstrap")
        }
        let quota = try #require(await get(client, Self.resourceQuota, team, "team-quota"))
        #expect(quota["spec"]?["hard"]?["pods"] == "7")
        #expect(quota["spec"]?["hard"]?["requests.cpu"] == "4")
        let policy = try #require(await get(client, Self.networkPolicy, team, "default-deny"))
        #expect(policy["spec"]?["podSelector"] == .emptyObject)
        #expect(policy["spec"]?["policyTypes"] == ["Ingress", "Egress"])
        let binding = try #require(await get(client, Self.roleBinding, team, "team-edit"))
        #expect(binding["roleRef"]?["name"] == "edit")
        #expect(binding["subjects"]?[0]?["name"] == "qa" && binding["subjects"]?[0]?["kind"] == "Group")
        // A namespace without the profile label gets nothing.
        #expect(await get(client, Self.resourceQuota, plain, "team-quota") == nil)

        // The team label is followed.
        try await label(client, namespace: team, ["tend.dev/team": "ops"])
        await poll(until: "role binding follows the team label") {
            await self.get(client, Self.roleBinding, team, "team-edit")?["subjects"]?[0]?["name"] == "ops"
        }

        // Removing the profile label releases the namespace: the rule's children there are deleted
        // (as the rule's offline test says); labelling it again brings them back.
        try await label(client, namespace: team, ["tend.dev/profile": .null])
        await poll(until: "children deleted on release") {
            let quota = await self.get(client, Self.resourceQuota, team, "team-quota"), binding = await self.get(client, Self.roleBinding, team, "team-edit")
            return quota == nil && binding == nil
        }
        #expect(await get(client, Self.namespaceKind, "", team) != nil, "the namespace itself stays")
        try await label(client, namespace: team, ["tend.dev/profile": "team"])
        await poll(until: "children back when labelled again") { await self.get(client, Self.resourceQuota, team, "team-quota") != nil }

        // Deleting the namespace: the namespace controller removes it with everything in it.
        _ = try await client.resource(Self.namespaceKind).delete(team)
        await poll(until: "namespace gone", timeout: .seconds(60)) { await self.get(client, Self.namespaceKind, "", team) == nil }
        running.cancel()
        await deleteNamespaces(client, [plain])
        await client.shutdown()
    }

    // MARK: replicate

    @Test func replicateRulesCopySourcesAndNeverLogSecretData() async throws {
        let cluster = try LocalCluster.require()
        let capture = LogCapture()
        var logger = Logger(label: "engine-test") { _ in CapturingLogHandler(capture: capture) }
        logger.logLevel = .trace
        var clientOptions = KubeClient.Options()
        clientOptions.logger = logger
        let client = KubeClient(configuration: cluster.configuration, options: clientOptions)
        let rules = try Self.shippedRules("rules/replicate/rule.yaml")
        #expect(rules.map(\.name) == ["replicate-configmaps", "replicate-secrets"])
        let s = Self.suffix()
        let src = "rp-src-\(s)", a = "rp-a-\(s)", b = "rp-b-\(s)", c = "rp-c-\(s)"
        let enabled = ["tend.dev/replicas": "enabled"]
        try await createNamespace(client, src)
        try await createNamespace(client, a, labels: enabled)
        try await createNamespace(client, b, labels: enabled)
        try await createNamespace(client, c)
        let secretText = "s3cr3t-\(UUID().uuidString)"
        let secretBase64 = Data(secretText.utf8).base64EncodedString()
        let rotatedText = "r0tated-\(UUID().uuidString)"
        let rotatedBase64 = Data(rotatedText.utf8).base64EncodedString()
        let configMaps = try await client.resource(Self.configMap, namespace: src)
        let secrets = try await client.resource(Self.secret, namespace: src)
        _ = try await configMaps.create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "labels": ["tend.dev/replicate": "true"]], "data": ["color": "blue"],
        ])
        _ = try await secrets.create([
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "labels": ["tend.dev/replicate": "true"]],
            "type": "example.com/token", "data": ["token": .string(secretBase64)],
        ])
        let (_, running) = start(rules, client, logger: logger)
        defer { running.cancel() }

        // Copied into both labelled namespaces, not into the unlabelled one nor onto the source.
        await poll(until: "copies in a and b") {
            for ns in [a, b] {
                if await self.get(client, Self.configMap, ns, "settings")?["data"]?["color"] != "blue" { return false }
                if await self.get(client, Self.secret, ns, "creds")?["data"]?["token"] != .string(secretBase64) { return false }
            }
            return true
        }
        let copy = try #require(await get(client, Self.secret, a, "creds"))
        #expect(copy["type"] == "example.com/token")
        #expect(copy["metadata"]?["labels"]?["tend.dev/source-namespace"] == .string(src))
        #expect(copy["metadata"]?["labels"]?["tend.dev/source-name"] == "creds")
        #expect(copy["metadata"]?["labels"]?["tend.dev/replicate"] == nil, "a copy is not itself replicated")
        #expect(copy["metadata"]?["ownerReferences"] == nil)
        #expect(await get(client, Self.configMap, c, "settings") == nil)
        let source = try #require(await get(client, Self.configMap, src, "settings"))
        #expect(source["metadata"]?["finalizers"] == ["cleanup.tend.dev/replicate-configmaps"])

        // Editing a source updates its copies.
        _ = try await configMaps.patch("settings", .merge(["data": ["color": "red"]]))
        _ = try await secrets.patch("creds", .merge(["data": ["token": .string(rotatedBase64)]]))
        await poll(until: "copies updated") {
            for ns in [a, b] {
                if await self.get(client, Self.configMap, ns, "settings")?["data"]?["color"] != "red" { return false }
                if await self.get(client, Self.secret, ns, "creds")?["data"]?["token"] != .string(rotatedBase64) { return false }
            }
            return true
        }

        // Labelling a third namespace adds copies there (a Namespace lookup change reconciles every source).
        try await label(client, namespace: c, ["tend.dev/replicas": "enabled"])
        await poll(until: "copies in c") {
            let configMap = await self.get(client, Self.configMap, c, "settings"), secret = await self.get(client, Self.secret, c, "creds")
            return configMap != nil && secret != nil
        }
        // Unlabelling one prunes them.
        try await label(client, namespace: b, ["tend.dev/replicas": .null])
        await poll(until: "copies in b pruned") {
            let configMap = await self.get(client, Self.configMap, b, "settings"), secret = await self.get(client, Self.secret, b, "creds")
            return configMap == nil && secret == nil
        }

        // Deleting the source: its finalizer holds it until every copy is gone. One copy is held by
        // another finalizer, so the order is observable.
        let copiesInA = try await client.resource(Self.configMap, namespace: a)
        _ = try await copiesInA.patch("settings", .merge(["metadata": ["finalizers": ["example.com/hold"]]]))
        _ = try await configMaps.delete("settings")
        await poll(until: "unheld copy deleted") { await self.get(client, Self.configMap, c, "settings") == nil }
        await poll(until: "held copy terminating") { await self.get(client, Self.configMap, a, "settings")?["metadata"]?["deletionTimestamp"] != nil }
        try await Task.sleep(for: .seconds(2))
        let held = try #require(await get(client, Self.configMap, src, "settings"), "the source must outlive its copies")
        #expect(held["metadata"]?["deletionTimestamp"] != nil)
        #expect(held["metadata"]?["finalizers"] == ["cleanup.tend.dev/replicate-configmaps"])
        _ = try await copiesInA.patch("settings", .merge(["metadata": ["finalizers": .null]]))
        await poll(until: "source gone after its last copy") { await self.get(client, Self.configMap, src, "settings") == nil }
        _ = try await secrets.delete("creds")
        await poll(until: "secret and its copies gone") {
            for ns in [src, a, c] where await self.get(client, Self.secret, ns, "creds") != nil { return false }
            return true
        }

        // The engine's own log, at trace level, never carries a Secret's data.
        running.cancel()
        let lines = capture.lines
        #expect(lines.contains { $0.contains("applied child") && $0.contains("creds") }, "the capture saw the engine's log")
        for needle in [secretText, secretBase64, rotatedText, rotatedBase64] {
            #expect(!lines.contains { $0.contains(needle) }, "Secret data in the log: \(lines.first { $0.contains(needle) } ?? "")")
        }
        await deleteNamespaces(client, [src, a, b, c])
        await client.shutdown()
    }

    // MARK: shared informers

    @Test(.exclusive(on: "webapps.example.com")) func rulesShareOneInformerPerKindAndSelector() async throws {
        let cluster = try LocalCluster.require()
        let setup = KubeClient(configuration: cluster.configuration)
        let webappRule = try Self.rule()
        let crds = try await setup.resource(Self.crdKind)
        // A CRD another test is deleting goes first.
        if let existing = try? await crds.get("webapps.example.com"), existing["metadata"]?["deletionTimestamp"] != nil {
            await poll(until: "terminating CRD gone") { (try? await crds.get("webapps.example.com")) == nil }
        }
        if (try? await crds.get("webapps.example.com")) == nil {
            let crd = try #require(webappRule.schema).customResourceDefinition(phasePath: webappRule.status.phase?.path, statusFields: webappRule.status.fields.map(\.name))
            _ = try await crds.create(crd)
        }
        await poll(until: "CRD established") {
            (await self.get(setup, Self.crdKind, "", "webapps.example.com"))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        await setup.shutdown()
        let client = KubeClient(configuration: cluster.configuration)
        let s = Self.suffix()
        let src = "si-src-\(s)", target = "si-target-\(s)"
        try await createNamespace(client, src)
        try await createNamespace(client, target, labels: ["tend.dev/replicas": "enabled"])
        let rules = try Self.shippedRules("rules/replicate/rule.yaml") + [webappRule]
        let (engine, running) = start(rules, client, inventoryNamespace: src)
        defer { running.cancel() }
        let webapps = try await waitForResource(client, Self.webapp, src)
        _ = try await webapps.create([
            "apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "shop", "labels": ["tier": "web"]],
            "spec": ["image": "nginx", "replicas": 1, "expose": true, "hosts": ["www"]],
        ])
        _ = try await client.resource(Self.configMap, namespace: src).create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "shared", "labels": ["tend.dev/replicate": "true"]], "data": ["k": "v"],
        ])
        // Both rules work through the ConfigMap child informer they share.
        await poll(until: "webapp route and replicated copy") {
            let route = await self.get(client, Self.configMap, src, "shop-www"), copy = await self.get(client, Self.configMap, target, "shared")
            return route != nil && copy != nil
        }
        // One informer per (kind, selector): ConfigMap tend.dev/replicate=true, ConfigMap tend.dev/rule
        // (children of both replicate-configmaps and webapp), Namespace tend.dev/replicas=enabled (the
        // lookup of both replicate rules), Secret tend.dev/replicate=true, Secret tend.dev/rule, WebApp
        // tier=web, Deployment and Service tend.dev/rule, and all ConfigMaps (webapp's lookup by name).
        // Twelve without sharing.
        #expect(engine.informerCount == 9)
        // The source goes while the engine runs, so its copy goes with it.
        _ = try await client.resource(Self.configMap, namespace: src).delete("shared")
        await poll(until: "source and copy gone") {
            let source = await self.get(client, Self.configMap, src, "shared"), copy = await self.get(client, Self.configMap, target, "shared")
            return source == nil && copy == nil
        }
        running.cancel()
        await deleteNamespaces(client, [src, target])
        _ = try? await client.resource(Self.crdKind).delete("webapps.example.com")
        await client.shutdown()
    }

    // MARK: lookups in another namespace

    @Test func changeOfALookupInAnotherNamespaceReconcilesItsReaders() async throws {
        let f = try await EngineFixture(prefix: "lk-app")
        let client = f.client
        let app = f.namespace, platform = "lk-platform-\(f.marker)"
        let rule = try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: central}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, namespaces: ["\(app)"], selector: {matchLabels: {central: "yes"}}}
              lookups:
                - {id: defaults, apiVersion: v1, kind: ConfigMap, namespace: "\(platform)", name: defaults}
              children:
                - id: merged
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-merged"}, data: {level: "${defaults == null ? 'none' : defaults.data.level}"}}
            """, file: "central.yaml")
        try await f.createNamespace(platform)
        let defaults = try await client.resource(Self.configMap, namespace: platform)
        _ = try await defaults.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "defaults"], "data": ["level": "1"]])
        _ = try await client.resource(Self.configMap, namespace: app).create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web", "labels": ["central": "yes"]]])
        _ = f.start([rule], options: EngineOptions())
        await poll(until: "child reads the lookup") { await self.get(client, Self.configMap, app, "web-merged")?["data"]?["level"] == "1" }
        // The looked-up object lives in another namespace than its reader: its change still reconciles it.
        _ = try await defaults.patch("defaults", .merge(["data": ["level": "2"]]))
        await poll(until: "child follows the lookup") { await self.get(client, Self.configMap, app, "web-merged")?["data"]?["level"] == "2" }
    }

    // MARK: patch (mutate existing)

    @Test func patchRuleOwnsFieldsOfTheWatchedObject() async throws {
        let f = try await EngineFixture(prefix: "patch")
        let (client, ns) = (f.client, f.namespace)
        let rule = try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: stamp}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, namespaces: ["\(ns)"], selector: {matchLabels: {stamp: "yes"}}}
              patch:
                metadata:
                  labels: {stamped-by: tend}
                  annotations: {example.com/stamped-from: "${self.metadata.namespace}"}
            """, file: "stamp.yaml")
        let configMaps = try await client.resource(Self.configMap, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "target", "labels": ["stamp": "yes"]], "data": ["k": "v"]])
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "other"], "data": ["k": "v"]])
        _ = f.start([rule], options: EngineOptions())
        await poll(until: "label and annotation added") {
            let m = await self.get(client, Self.configMap, ns, "target")?["metadata"]
            return m?["labels"]?["stamped-by"] == "tend" && m?["annotations"]?["example.com/stamped-from"] == .string(ns)
        }
        // A hand edit of an owned field is put back; fields the rule does not set are left alone.
        _ = try await configMaps.patch("target", .merge(["metadata": ["labels": ["stamped-by": "someone", "extra": "kept"]]]))
        await poll(until: "hand edit reverted") { await self.get(client, Self.configMap, ns, "target")?["metadata"]?["labels"]?["stamped-by"] == "tend" }
        _ = try await configMaps.patch("target", .merge(["metadata": ["labels": ["stamped-by": .null]]]))
        await poll(until: "removed label restored") { await self.get(client, Self.configMap, ns, "target")?["metadata"]?["labels"]?["stamped-by"] == "tend" }
        let target = try #require(await get(client, Self.configMap, ns, "target"))
        #expect(target["metadata"]?["labels"]?["extra"] == "kept")
        #expect(target["data"]?["k"] == "v")
        #expect(await get(client, Self.configMap, ns, "other")?["metadata"]?["labels"]?["stamped-by"] == nil, "objects outside the selector are not patched")
    }
}

/// Collects every log line (message and metadata) an engine writes.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(rendered)")
    }
}
