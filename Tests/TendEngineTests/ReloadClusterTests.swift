import Foundation
import Logging
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// Reloading rules into a running engine against the real control plane: a changed rule re-applies its
/// objects, an added one starts, a set with errors changes nothing, a removed one stops without
/// deleting anything.
@Suite(.enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ReloadClusterTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// A rule `name` that copies every ConfigMap labelled `label: marker` to `<name>-<suffix>` with `data.v`.
    static func ruleText(_ name: String, label: String, marker: String, suffix: String, value: String) -> String {
        EngineFixture.configMapRuleText(name, label: label, value: marker, suffix: suffix, data: "{v: \"\(value)\"}")
    }

    static func rule(_ text: String) throws -> Rule { try EngineFixture.rule(text) }

    @Test func reloadChangesAddsRefusesErrorsAndRemovesWithoutDeleting() async throws {
        let f = try await EngineFixture(prefix: "reload")
        let (ns, marker) = (f.namespace, f.marker)
        let nameA = "reload-a-\(marker)", nameB = "reload-b-\(marker)"
        let a1 = try Self.rule(Self.ruleText(nameA, label: "reload-a", marker: marker, suffix: "a", value: "1"))
        let a2 = try Self.rule(Self.ruleText(nameA, label: "reload-a", marker: marker, suffix: "a", value: "2"))
        let b = try Self.rule(Self.ruleText(nameB, label: "reload-b", marker: marker, suffix: "b", value: "b"))
        let configMaps = try await f.client.resource(Self.configMap, namespace: ns)
        func create(_ name: String, label: String) async throws {
            var labels: Value = [:]
            labels[label] = .string(marker)
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": labels], "data": ["x": "1"]])
        }
        func value(_ name: String) async -> String? { (try? await configMaps.get(name))?["data"]?["v"]?.stringValue }
        try await create("p1", label: "reload-a")
        try await create("q1", label: "reload-b")

        let registry = MetricsRegistry()
        var options = f.options()
        options.metrics = registry.factory
        let (engine, _) = f.start([a1], options: options)
        func metric(_ name: String, _ labels: [String: String] = [:]) -> Double {
            (try? PrometheusText(String(decoding: registry.exposition(), as: UTF8.self)))?.value(name, labels) ?? 0
        }
        #expect(await poll(until: "A's child with v=1") { await value("p1-a") == "1" })
        let aController = try #require(engine.controllers.first)

        // A changed, B added: the existing child is re-applied with the new version, B's child appears.
        guard case .applied(let diff) = engine.reload(rules: [a2, b]) else { Issue.record("reload not applied"); return }
        #expect(diff.changed.map(\.name) == [nameA] && diff.added.map(\.name) == [nameB] && diff.removed.isEmpty && diff.unchanged.isEmpty)
        #expect(engine.controllers.first !== aController, "a changed rule gets a new controller")
        #expect(await poll(until: "A's child updated to v=2") { await value("p1-a") == "2" })
        #expect(await poll(until: "B's child created") { await value("q1-b") == "b" })
        #expect(metric("tend_rules") == 2)
        #expect(await poll(until: "ready with the new set") { engine.isReady })
        let bController = try #require(engine.controllers.last)

        // A set with an error changes nothing: reported with its location, counted, still ready.
        let dir = NSTemporaryDirectory() + "tend-reload-\(marker)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.ruleText(nameA, label: "reload-a", marker: marker, suffix: "a", value: "3").write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try Self.ruleText(nameB, label: "reload-b", marker: marker, suffix: "b", value: "${self.data.x +}").write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        guard case .failed(let errors) = engine.reload(RuleLoader().load(paths: [dir])) else { Issue.record("an invalid set was applied"); return }
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { "\($0)".hasPrefix(dir + "/b.yaml:") }, "file:line:col form: \(errors)")
        #expect(metric("tend_rule_reloads_total", ["result": "failed"]) == 1)
        #expect(metric("tend_rule_reloads_total", ["result": "applied"]) == 1)
        #expect(metric("tend_rules") == 2)
        #expect(engine.isReady, "a failed reload does not affect readiness")
        #expect(engine.controllers.map(\.rule.name) == [nameA, nameB])
        #expect(engine.controllers.first?.rule.fingerprint == a2.fingerprint, "A is not the file's v=3 version")
        #expect(engine.controllers.last === bController, "B kept running")
        try await create("p2", label: "reload-a")
        #expect(await poll(until: "A still runs version 2") { await value("p2-a") == "2" })

        // B removed (A unchanged): B's children stay, B no longer reacts; A does (the positive control).
        guard case .applied(let removal) = engine.reload(rules: [a2]) else { Issue.record("reload not applied"); return }
        #expect(removal.removed == [nameB] && removal.unchanged == [nameA] && removal.added.isEmpty && removal.changed.isEmpty)
        #expect(engine.controllers.map(\.rule.name) == [nameA])
        try await create("q2", label: "reload-b")
        try await create("p3", label: "reload-a")
        #expect(await poll(until: "A reacts to a new object") { await value("p3-a") == "2" })
        try await Task.sleep(for: .seconds(5))
        #expect(await value("q2-b") == nil, "a removed rule does not react")
        #expect(await value("q1-b") == "b", "removing a rule deletes nothing")
        #expect(metric("tend_rule_reloads_total", ["result": "applied"]) == 2)
        #expect(metric("tend_rules") == 1)
    }

    /// A rule removed by a reload lets go of the objects it held with its finalizer: deleting one
    /// completes instead of hanging in Terminating until the rule comes back. Its children stay.
    @Test func aRemovedRuleReleasesItsFinalizer() async throws {
        let f = try await EngineFixture(prefix: "retire")
        let (client, marker) = (f.client, f.marker)
        let home = f.namespace, away = "retire-away-\(marker)"
        try await f.createNamespace(away)
        let rule = try Self.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: retire-\(marker)}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {retire: "\(marker)"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: \(away)}, data: {v: "1"}}
            """)
        let configMaps = try await client.resource(Self.configMap, namespace: home)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "src", "labels": ["retire": .string(marker)]]])
        let (engine, _) = f.start([rule], options: EngineOptions(), logLevel: .error)
        func finalizers() async -> Value? { (try? await configMaps.get("src"))?["metadata"]?["finalizers"] }
        await poll(until: "the rule's finalizer") { await finalizers() == [.string(rule.finalizer)] }
        let copies = try await client.resource(Self.configMap, namespace: away)
        await poll(until: "the copy in the other namespace") { (try? await copies.get("src")) != nil }

        engine.reload(rules: [])
        await poll(until: "finalizer removed") { let f = await finalizers(); return f == nil || f == .array([]) }
        #expect((try? await copies.get("src")) != nil, "the children stay")
        _ = try await configMaps.delete("src")
        await poll(until: "deleting completes", timeout: .seconds(15)) { (try? await configMaps.get("src")) == nil }
    }
}

