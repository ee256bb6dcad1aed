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

/// Readiness is not held hostage by one rule whose CRD is not installed: the other rules run and
/// the process is ready; `/readyz?verbose` says which rule waits.
@Suite(.enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(2)))
struct ReadinessClusterTests {
    @Test func aRuleWaitingForItsCRDDoesNotHoldReadiness() async throws {
        let cluster = try LocalCluster.require()
        let client = KubeClient(configuration: cluster.configuration)
        let ns = "ready-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        func rule(_ text: String) throws -> Rule { try #require(RuleCompiler.compile(try YAML.parse(text, file: "r.yaml")).rule) }
        let served = try rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: served}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {ready-test: "yes"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}}
            """)
        let missing = try rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: missing}
            spec:
              watch: {apiVersion: nowhere.tend-test.dev/v1, kind: Ghost}
            """)
        var options = EngineOptions()
        options.namespace = ns
        var logger = Logger(label: "ready")
        logger.logLevel = .error
        let engine = Engine(rules: [served, missing], client: client, options: options, logger: logger)
        let running = Task { try await engine.run() }
        defer { running.cancel() }
        await poll(until: "ready with one rule waiting") { engine.isReady }
        let lines = engine.readiness.lines
        #expect(lines.contains("[+]rule served ok"), "\(lines)")
        #expect(lines.contains("[+]rule missing waiting for Ghost.v1.nowhere.tend-test.dev to be served (is its CRD installed?)"), "\(lines)")
        // The other rule works.
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "labels": ["ready-test": "yes"]]])
        await poll(until: "the served rule reconciles") { (try? await configMaps.get("a-copy")) != nil }
        running.cancel()
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }
}
