import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue
import TendYAML

/// The set-up the engine's cluster tests share: a client on the local control plane, a namespace
/// of the test's own, rules compiled from YAML text, engines running in tasks, and their teardown.
///
/// Teardown is registered with ``AwaitedCleanup`` as the pieces are made, so a suite that uses the
/// fixture carries `.awaitsCleanup`. When the test ends, passed, failed or thrown, it runs in
/// reverse order and is awaited: engines are cancelled and awaited, then namespaces deleted, then
/// clients shut down.
struct EngineFixture: Sendable {
    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let configMapKind = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let secretKind = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
    static let eventKind = GroupVersionKind(apiVersion: "v1", kind: "Event")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    let cluster: LocalCluster
    /// The test's own client: set-up, reads, and the writes of other actors. Engines use it unless
    /// given another (see ``makeClient(options:)``).
    let client: KubeClient
    /// The random part of ``namespace``'s name: for rule names and label values unique to the test.
    let marker: String
    /// `<prefix>-<marker>`, created by ``init(prefix:labels:)``.
    let namespace: String

    /// Connects to the local control plane and creates the namespace `<prefix>-<marker>` with `labels`.
    init(prefix: String, labels: Value = .emptyObject) async throws {
        cluster = try LocalCluster.require()
        client = KubeClient(configuration: cluster.configuration)
        AwaitedCleanup.add { [client] in await client.shutdown() }
        marker = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        namespace = "\(prefix)-\(marker)"
        try await createNamespace(namespace, labels: labels)
    }

    /// Compiles a rule from YAML text; the test stops with the diagnostics when it does not compile.
    static func rule(_ yaml: String, file: String = "rule.yaml", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Rule {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(yaml, file: file))
        return try #require(rule, "\(diagnostics)", sourceLocation: sourceLocation)
    }

    /// The rule most tests need, compiled: see ``configMapRuleText(_:label:value:id:suffix:data:)``.
    static func configMapRule(
        _ name: String, label: String, value: String, id: String = "copy", suffix: String = "copy", data: String? = nil,
        file: String = "rule.yaml", sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> Rule {
        try rule(configMapRuleText(name, label: label, value: value, id: id, suffix: suffix, data: data), file: file, sourceLocation: sourceLocation)
    }

    /// The rule most tests need: `name` watches the ConfigMaps labelled `label: value` and gives each
    /// one child ConfigMap `<its name>-<suffix>` (child id `id`), with `data` (a YAML flow mapping) if given.
    static func configMapRuleText(_ name: String, label: String, value: String, id: String = "copy", suffix: String = "copy", data: String? = nil) -> String {
        let data = data.map { ", data: \($0)" } ?? ""
        return """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(name)}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {\(label): "\(value)"}}}
              children:
                - id: \(id)
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-\(suffix)"}\(data)}
            """
    }

    /// Another client on the cluster, e.g. for an engine whose requests or metrics are counted apart
    /// from the test's own; shut down when the test ends.
    func makeClient(options: KubeClient.Options = KubeClient.Options()) -> KubeClient {
        let other = KubeClient(configuration: cluster.configuration, options: options)
        AwaitedCleanup.add { await other.shutdown() }
        return other
    }

    /// Creates the namespace `name` (with `labels`); deleted when the test ends, after the engines
    /// stopped. ConfigMaps and Secrets a stopped engine left holding a finalizer are let go first:
    /// they would keep the namespace terminating.
    func createNamespace(_ name: String, labels: Value = .emptyObject) async throws {
        let namespaces = try await client.resource(Self.namespaceKind)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": labels]])
        AwaitedCleanup.add { [client] in
            for kind in [Self.configMapKind, Self.secretKind] {
                guard let resource = try? await client.resource(kind, namespace: name), let list = try? await resource.list() else { continue }
                for item in list.items where item["metadata"]?["finalizers"] != nil {
                    _ = try? await resource.patch(item["metadata"]?["name"]?.stringValue ?? "", .merge(["metadata": ["finalizers": .null]]))
                }
            }
            _ = try? await namespaces.delete(name)
        }
    }

    /// `kind` in the namespace (or in `namespace`), once the server serves it: discovery may list
    /// a kind whose CRD was just created a moment before requests for it succeed.
    func resource(_ kind: GroupVersionKind, namespace: String? = nil, timeout: Duration = .seconds(60)) async throws -> ResourceClient {
        var found: ResourceClient?
        await poll(until: "\(kind) served", timeout: timeout) {
            found = try? await client.resource(kind, namespace: namespace ?? self.namespace)
            return found != nil
        }
        return try #require(found)
    }

    /// The object `name` of `kind` in the namespace; nil when it is not there (or cannot be read).
    func get(_ kind: GroupVersionKind, _ name: String) async -> Value? {
        try? await client.resource(kind, namespace: namespace).get(name)
    }

    /// The Events in the namespace.
    func events() async throws -> [Value] {
        try await client.resource(Self.eventKind, namespace: namespace).list(ListOptions()).items
    }

    /// Engine options scoped to the namespace, with the inventory record there too (each test its own).
    func options() -> EngineOptions {
        var options = EngineOptions()
        options.namespace = namespace
        options.inventoryNamespace = namespace
        return options
    }

    /// An engine over `rules` with `options` (scoped to the namespace unless given), on `client`
    /// (the fixture's unless given), logging at `logLevel` unless given a logger. Not started.
    func engine(
        _ rules: [Rule], options: EngineOptions? = nil, client engineClient: KubeClient? = nil,
        logger: Logger? = nil, logLevel: Logger.Level = .warning
    ) -> Engine {
        let logger = logger ?? {
            var logger = Logger(label: "engine-test")
            logger.logLevel = logLevel
            return logger
        }()
        return Engine(rules: rules, client: engineClient ?? client, options: options ?? self.options(), logger: logger)
    }

    /// Runs `engine` in a task, cancelled and awaited when the test ends; a test may cancel it earlier.
    func run(_ engine: Engine) -> Task<Void, any Error> {
        let running = Task { try await engine.run() }
        AwaitedCleanup.add {
            running.cancel()
            _ = try? await running.value
        }
        return running
    }

    /// Starts an ``engine(_:options:client:logger:logLevel:)``; see ``run(_:)``.
    func start(
        _ rules: [Rule], options: EngineOptions? = nil, client engineClient: KubeClient? = nil,
        logger: Logger? = nil, logLevel: Logger.Level = .warning
    ) -> (Engine, Task<Void, any Error>) {
        let engine = engine(rules, options: options, client: engineClient, logger: logger, logLevel: logLevel)
        return (engine, run(engine))
    }

    /// Runs an engine over `rules` until `condition` holds, then stops it.
    func run(_ rules: [Rule], until what: String, _ condition: () async -> Bool) async {
        let (_, running) = start(rules, logLevel: .error)
        await poll(until: what, condition)
        running.cancel()
        _ = try? await running.value
    }

    /// `tend plan` against the cluster for `rules`, scoped to the namespace unless `options` say
    /// otherwise: the plans, writing nothing.
    func plan(_ rules: [Rule], options: EngineOptions? = nil) async -> [ReconcilePlan] {
        await engine(rules, options: options).planAll().plans
    }

    /// Installs (server-side applies) the CRD of `rule`'s schema and waits until it is established.
    func installCRD(_ rule: Rule, timeout: Duration = .seconds(60)) async throws {
        let schema = try #require(rule.schema)
        let crd = schema.customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name))
        let name = try #require(crd["metadata"]?["name"]?.stringValue)
        let crds = try await client.resource(Self.crdKind)
        _ = try await crds.apply(crd, fieldManager: "tend-test", force: true)
        await poll(until: "CRD \(name) established", timeout: timeout) {
            (try? await crds.get(name))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
    }
}
