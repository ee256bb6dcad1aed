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

/// `tend rbac` against the real control plane: the engine, authenticated as a ServiceAccount bound to
/// the generated RBAC and nothing else, runs the webapp rule; without one generated permission the
/// failure names it; the in-cluster configuration path works with that ServiceAccount's files.
///
/// The rule is rules/webapp with its group renamed (`rbac.example.com`), so its CRD is independent of
/// the one EngineClusterTests deletes and recreates while the suites run in parallel.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun))
struct RBACClusterTests {
    static let group = "rbac.example.com"
    static let webapp = GroupVersionKind(apiVersion: "\(group)/v1", kind: "WebApp")!
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let service = GroupVersionKind(apiVersion: "v1", kind: "Service")!
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let event = GroupVersionKind(apiVersion: "v1", kind: "Event")!
    static let namespace = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let serviceAccount = GroupVersionKind(apiVersion: "v1", kind: "ServiceAccount")!
    static let secret = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
    static let clusterRole = GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole")!
    static let clusterRoleBinding = GroupVersionKind(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding")!
    static let crd = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// rules/webapp/rule.yaml with the watched group renamed.
    static func rule() throws -> Rule {
        let text = try String(contentsOf: root.appendingPathComponent("rules/webapp/rule.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "example.com", with: group)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-rbac-rule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("rule.yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = RuleLoader().load(paths: [file])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return try #require(loaded.rules.first)
    }

    /// A namespace with a ServiceAccount bound to the generated RBAC (ClusterRole named after the
    /// namespace, leader election in the namespace), and the ServiceAccount's token.
    struct Setup {
        var ns: String
        var rule: Rule
        var manifests: [Value]
        var token: String
        var roleName: String
    }

    func setUp(_ admin: KubeClient, prefix: String) async throws -> Setup {
        let rule = try Self.rule()
        // The CRD (idempotent), established and served before the engine's client starts discovery.
        let definition = try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name))
        _ = try await admin.resource(Self.crd).apply(definition, fieldManager: "rbac-test", force: true)
        await poll(until: "CRD established") {
            (try? await admin.resource(Self.crd).get("webapps.\(Self.group)"))?["status"]?["conditions"]?.arrayValue?
                .contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        await poll(until: "CRD served") { (try? await admin.discovery.refresh().resource(for: Self.webapp)) != nil }

        let ns = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        _ = try await admin.resource(Self.namespace).create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        var options = RBACGenerator.Options()
        options.serviceAccountNamespace = ns
        options.name = ns
        options.leaderElection = true
        let generator = RBACGenerator(options: options, resolver: ResourceResolver(rules: [rule]))
        let output = try generator.grants(for: [rule])
        let manifests = generator.manifests(for: output.grants)
        try await apply(admin, manifests)
        let token = try await serviceAccountToken(admin, ns: ns, name: "tend")
        return Setup(ns: ns, rule: rule, manifests: manifests, token: token, roleName: ns)
    }

    func tearDown(_ admin: KubeClient, _ setup: Setup) async {
        _ = try? await admin.resource(Self.clusterRoleBinding).delete(setup.roleName)
        _ = try? await admin.resource(Self.clusterRole).delete(setup.roleName)
        _ = try? await admin.resource(Self.namespace).delete(setup.ns)
    }

    func apply(_ admin: KubeClient, _ manifests: [Value]) async throws {
        for m in manifests { _ = try await admin.resource(for: m).apply(m, fieldManager: "rbac-test", force: true) }
    }

    /// Kubernetes 1.20: the controller-manager's serviceaccount-token controller creates a token
    /// Secret for the ServiceAccount and lists it in `secrets`.
    func serviceAccountToken(_ admin: KubeClient, ns: String, name: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let sa = try? await admin.resource(Self.serviceAccount, namespace: ns).get(name),
                let secretName = sa["secrets"]?[0]?["name"]?.stringValue,
                let secret = try? await admin.resource(Self.secret, namespace: ns).get(secretName),
                let encoded = secret["data"]?["token"]?.stringValue, let data = Data(base64Encoded: encoded)
            {
                return String(decoding: data, as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LocalCluster.Unavailable(description: "no token Secret for ServiceAccount \(ns)/\(name) (is the serviceaccount-token controller running?)")
    }

    /// A configuration that authenticates with `token` only.
    func tokenConfiguration(_ cluster: LocalCluster, token: String) -> ClientConfiguration {
        var config = ClientConfiguration(server: cluster.configuration.server, source: "service account token")
        config.certificateAuthority = cluster.configuration.certificateAuthority
        config.tlsServerName = cluster.configuration.tlsServerName
        config.credentials.token = token
        return config
    }

    func get(_ client: KubeClient, _ kind: GroupVersionKind, _ ns: String, _ name: String) async -> Value? {
        try? await client.resource(kind, namespace: ns).get(name)
    }

    /// The ClusterRole of `manifests` without `verb` on `resource` (the rule dropped when no verb is left).
    static func clusterRole(_ manifests: [Value], removing verb: String, on resource: String) throws -> Value {
        var role = try #require(manifests.first { $0["kind"] == "ClusterRole" })
        let rules = (role["rules"]?.arrayValue ?? []).compactMap { r -> Value? in
            guard r["resources"]?[0]?.stringValue == resource else { return r }
            var r = r
            let verbs = (r["verbs"]?.arrayValue ?? []).filter { $0.stringValue != verb }
            if verbs.isEmpty { return nil }
            r["verbs"] = .array(verbs)
            return r
        }
        #expect(rules.count <= (role["rules"]?.arrayValue?.count ?? 0))
        role["rules"] = .array(rules)
        return role
    }

    @Test func generatedRBACIsEnoughForTheWebappRuleAndEachGapIsNamed() async throws {
        let cluster = try LocalCluster.require()
        let admin = KubeClient(configuration: cluster.configuration)
        let setup = try await setUp(admin, prefix: "rbac")
        let ns = setup.ns

        // `tend rbac --discover` names the same resources as the offline table and the rule's schema.
        var options = RBACGenerator.Options()
        options.leaderElection = true
        let offline = try RBACGenerator(options: options, resolver: ResourceResolver(rules: [setup.rule])).grants(for: [setup.rule]).grants
        let mapping = try await admin.discovery.refresh()
        let discovered = try RBACGenerator(options: options, resolver: ResourceResolver(rules: [], mapping: mapping)).grants(for: [setup.rule]).grants
        #expect(discovered == offline)

        // Authenticated as the ServiceAccount: the generated RBAC and what every user may do (discovery).
        let client = KubeClient(configuration: tokenConfiguration(cluster, token: setup.token))
        let forbiddenSecrets = await Result { () async throws(KubeError) in try await client.resource(Self.secret, namespace: ns).list() }
        #expect(forbiddenSecrets.isForbidden, "the ServiceAccount must not read Secrets")

        let logs = CapturedEngineLogs()
        var engineOptions = EngineOptions()
        engineOptions.leaderElection = .init(namespace: ns, name: "tend", identity: "rbac-test")
        engineOptions.inventoryNamespace = ns  // tend run's default with --leader-elect: the Lease's namespace
        engineOptions.events = .all  // a Created Event shows the role allows writing Events
        let engine = Engine(rules: [setup.rule], client: client, options: engineOptions, logger: logs.logger)
        let running = Task { try await engine.run() }

        let webapps = try await admin.resource(Self.webapp, namespace: ns)
        _ = try await webapps.create([
            "apiVersion": .string(Self.webapp.apiVersion), "kind": "WebApp",
            "metadata": ["name": "shop", "labels": ["tier": "web"]],
            "spec": ["image": "nginx:1.27", "replicas": 2, "expose": true, "hosts": ["www", "api"]],
        ])
        // Children applied (patch), status written (webapps/status patch), Events recorded, Lease held.
        await poll(until: "children created") {
            let d = await self.get(admin, Self.deployment, ns, "shop")
            let s = await self.get(admin, Self.service, ns, "shop")
            let r = await self.get(admin, Self.configMap, ns, "shop-www")
            return d != nil && s != nil && r != nil
        } detail: { logs.lines.withLock { $0.suffix(20).joined(separator: "\n") } }
        await poll(until: "status Pending with url") {
            let s = await self.get(admin, Self.webapp, ns, "shop")?["status"]
            return s?["phase"] == "Pending" && s?["url"]?.stringValue?.hasPrefix("http://") == true
        }
        // The inventory record, created and patched under the role's configmaps grants.
        let record = try #require(await get(admin, Self.configMap, ns, "tend-inventory"), "the inventory record")
        #expect(record["data"]?["webapp.Deployment.v1.apps"] == "apps/v1/Deployment")
        #expect(record["data"]?["webapp.Service.v1"] == "v1/Service")
        #expect(record["data"]?["webapp.ConfigMap.v1"] == "v1/ConfigMap")
        await poll(until: "Created events") {
            let events = (try? await admin.resource(Self.event, namespace: ns).list())?.items ?? []
            return events.contains { $0["involvedObject"]?["name"] == "shop" && $0["reason"] == "Created" }
        }
        #expect(await get(admin, GroupVersionKind(apiVersion: "coordination.k8s.io/v1", kind: "Lease")!, ns, "tend")?["spec"]?["holderIdentity"] == "rbac-test")
        _ = try await admin.resource(Self.deployment, namespace: ns).patchStatus("shop", .merge(["status": ["replicas": 2, "availableReplicas": 2, "readyReplicas": 2]]))
        await poll(until: "phase Running") { await self.get(admin, Self.webapp, ns, "shop")?["status"]?["phase"] == "Running" }
        // Pruning (delete on services and configmaps).
        _ = try await webapps.patch("shop", .merge(["spec": ["expose": false, "hosts": ["www"]]]))
        await poll(until: "service pruned") { await self.get(admin, Self.service, ns, "shop") == nil }
        await poll(until: "route pruned") { await self.get(admin, Self.configMap, ns, "shop-api") == nil }
        // (Only this namespace: the engine watches all of them, including ones earlier runs are deleting.)
        let refused = logs.matching("forbidden").filter { $0.contains("\(ns)/") }
        #expect(refused.isEmpty, "no request of the engine was forbidden: \(refused)")

        // Without `patch` on webapps/status the status cannot be written, and the log says exactly that.
        try await apply(admin, [try Self.clusterRole(setup.manifests, removing: "patch", on: "webapps/status")])
        _ = try await webapps.create([
            "apiVersion": .string(Self.webapp.apiVersion), "kind": "WebApp",
            "metadata": ["name": "second", "labels": ["tier": "web"]], "spec": ["image": "nginx", "replicas": 1],
        ])
        let statusDenied = #"cannot patch resource "webapps/status" in API group "\#(Self.group)""#
        await poll(until: "forbidden status write logged") {
            logs.matching(statusDenied).contains { $0.contains("\(ns)/second") }
        }
        let line = logs.matching(statusDenied).first { $0.contains("\(ns)/second") } ?? ""
        #expect(line.contains("status write failed"))
        #expect(line.contains("forbidden"))
        #expect(line.contains("system:serviceaccount:\(ns):tend"))
        await poll(until: "children are still applied") { await self.get(admin, Self.deployment, ns, "second") != nil }
        #expect(await get(admin, Self.webapp, ns, "second")?["status"]?["phase"] == nil)
        // Put back, the retried reconcile writes the status.
        try await apply(admin, [try #require(setup.manifests.first { $0["kind"] == "ClusterRole" })])
        await poll(until: "status written once allowed", timeout: .seconds(90)) {
            await self.get(admin, Self.webapp, ns, "second")?["status"]?["phase"] == "Pending"
        }

        // Without `delete` on services pruning fails: the WebApp's Ready condition and a Warning Event say so.
        try await apply(admin, [try Self.clusterRole(setup.manifests, removing: "delete", on: "services")])
        _ = try await webapps.patch("second", .merge(["spec": ["expose": true]]))
        await poll(until: "service created") { await self.get(admin, Self.service, ns, "second") != nil }
        _ = try await webapps.patch("second", .merge(["spec": ["expose": false]]))
        await poll(until: "prune forbidden on the Ready condition") {
            let ready = await self.get(admin, Self.webapp, ns, "second")?["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            return ready?["reason"] == "Forbidden"
                && ready?["message"]?.stringValue?.contains(#"cannot delete resource "services" in API group """#) == true
        }
        await poll(until: "Warning Event") {
            let events = (try? await admin.resource(Self.event, namespace: ns).list())?.items ?? []
            return events.contains {
                $0["involvedObject"]?["name"] == "second" && $0["type"] == "Warning" && $0["reason"] == "Forbidden"
                    && $0["message"]?.stringValue?.contains("forbidden") == true
            }
        }
        #expect(await get(admin, Self.service, ns, "second") != nil)

        // Server-side apply that creates an object is authorized as `create` as well: without it a new
        // child fails, and the message names the permission (the API server's own reason is empty).
        try await apply(admin, [try Self.clusterRole(setup.manifests, removing: "create", on: "deployments")])
        _ = try await webapps.create([
            "apiVersion": .string(Self.webapp.apiVersion), "kind": "WebApp",
            "metadata": ["name": "third", "labels": ["tier": "web"]], "spec": ["image": "nginx", "replicas": 1],
        ])
        await poll(until: "create forbidden on the Ready condition") {
            let ready = await self.get(admin, Self.webapp, ns, "third")?["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            return ready?["reason"] == "Forbidden"
                && ready?["message"]?.stringValue?.contains(#"cannot create resource "deployments" in API group "apps""#) == true
        }
        #expect(await get(admin, Self.deployment, ns, "third") == nil)

        engine.shutdown()
        running.cancel()
        _ = await running.result
        await client.shutdown()
        await tearDown(admin, setup)
        await admin.shutdown()
    }

    /// A pod's view: token, ca.crt and namespace files, KUBERNETES_SERVICE_HOST/PORT pointing at the
    /// local API server; the loader picks the in-cluster path and requests run as the ServiceAccount.
    @Test func inClusterConfigurationWithTheServiceAccount() async throws {
        let cluster = try LocalCluster.require()
        let admin = KubeClient(configuration: cluster.configuration)
        let setup = try await setUp(admin, prefix: "rbac-incluster")
        let ns = setup.ns
        _ = try await admin.resource(Self.webapp, namespace: ns).create([
            "apiVersion": .string(Self.webapp.apiVersion), "kind": "WebApp",
            "metadata": ["name": "listed", "labels": ["tier": "web"]], "spec": ["image": "nginx", "replicas": 1],
        ])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-sa-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try setup.token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try ns.write(toFile: dir + "/namespace", atomically: true, encoding: .utf8)
        switch cluster.configuration.certificateAuthority {
        case .file(let path)?: try FileManager.default.copyItem(atPath: path, toPath: dir + "/ca.crt")
        case .data(let bytes)?: try Data(bytes).write(to: URL(fileURLWithPath: dir + "/ca.crt"))
        case nil: Issue.record("the cluster's kubeconfig has no CA")
        }
        let url = try #require(URL(string: cluster.configuration.server))
        let port = try #require(url.port)
        // HOME without .kube/config and no KUBECONFIG: the loader falls through to in-cluster.
        var loader = KubeConfigLoader(environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(port)", "HOME": dir])
        loader.serviceAccountDirectory = dir
        let config = try loader.load()
        #expect(config.source == "in-cluster")
        #expect(config.server == "https://127.0.0.1:\(port)")
        #expect(config.namespace == ns)
        #expect(config.credentials.tokenFile == dir + "/token")

        try await KubeClient.withClient(config) { client in
            let list = try await client.resource(Self.webapp, namespace: config.namespace).list()
            #expect(list.items.map { $0["metadata"]?["name"]?.stringValue } == ["listed"])
            // Least privilege: reading Secrets, or writing what the rule only reads, is refused.
            let secrets = await Result { () async throws(KubeError) in try await client.resource(Self.secret, namespace: ns).list() }
            #expect(secrets.isForbidden)
            let create = await Result { () async throws(KubeError) in
                try await client.resource(Self.webapp, namespace: ns).create([
                    "apiVersion": .string(Self.webapp.apiVersion), "kind": "WebApp", "metadata": ["name": "nope"], "spec": ["image": "x"],
                ])
            }
            #expect(create.isForbidden)
        }
        await tearDown(admin, setup)
        await admin.shutdown()
    }
}

extension Result where Failure == KubeError {
    init(catching body: () async throws(KubeError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    var isForbidden: Bool {
        if case .failure(let e) = self { return e.isForbidden }
        return false
    }
}

/// The engine's log records, as lines (level, message, metadata), for assertions.
final class CapturedEngineLogs: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "rbac-test") { _ in Handler(sink: self) }
        logger.logLevel = .info
        return logger
    }

    func contains(_ text: String) -> Bool { lines.withLock { $0.contains { $0.contains(text) } } }
    func matching(_ text: String) -> [String] { lines.withLock { $0.filter { $0.contains(text) } } }

    struct Handler: LogHandler {
        let sink: CapturedEngineLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            sink.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}
