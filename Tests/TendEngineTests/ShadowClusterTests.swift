import Foundation
import Logging
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// Shadow mode (`tend run --dry-run`) against the real control plane: the engine reconciles, logs
/// and counts what it would write, and writes nothing (no child, no parent change, no Event); a
/// write the server refuses is a warning and a rejection.
@Suite(.enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ShadowClusterTests {
    static let shadowed = GroupVersionKind(apiVersion: "shadow.tend-test.dev/v1", kind: "Shadowed")!
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    /// A ConfigMap child and a status (phase) on a custom kind.
    static let okRule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: shadow-ok}
        spec:
          schema: {group: shadow.tend-test.dev, version: v1, kind: Shadowed, spec: {value: {type: string}}}
          watch: {apiVersion: shadow.tend-test.dev/v1, kind: Shadowed}
          children:
            - id: config
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-cfg"}, data: {v: "${self.spec.value}"}}
          status:
            phase:
              initial: Pending
              transitions:
                - {from: [Pending], to: Running, when: "${self.spec.value == 'go'}"}
        """

    /// A child the API server rejects: a ConfigMap data key must be alphanumeric, `-`, `_` or `.`.
    static func badRule(marker: String) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: shadow-bad}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {shadow-bad: "\(marker)"}}}
          children:
            - id: bad
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-bad"}, data: {"bad key!": "x"}}
        """
    }

    static func rule(_ text: String) throws -> Rule { try EngineFixture.rule(text) }

    @Test func shadowModeWritesNothingAndReportsWhatItWouldWrite() async throws {
        let f = try await EngineFixture(prefix: "shadow")
        let (client, ns, marker) = (f.client, f.namespace, f.marker)
        let ok = try Self.rule(Self.okRule)
        let bad = try Self.rule(Self.badRule(marker: marker))
        try await f.installCRD(ok, timeout: .seconds(90))
        let parents = try await f.resource(Self.shadowed, timeout: .seconds(90))
        let configMaps = try await client.resource(Self.configMap, namespace: ns)

        let created = try await parents.create(["apiVersion": "shadow.tend-test.dev/v1", "kind": "Shadowed", "metadata": ["name": "p"], "spec": ["value": "go"]])
        let version = try #require(created["metadata"]?["resourceVersion"]?.stringValue)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "q", "labels": ["shadow-bad": .string(marker)]]])

        let capture = LogCapture()
        var logger = Logger(label: "shadow-test") { _ in CapturingLogHandler(capture: capture) }
        logger.logLevel = .info
        let registry = MetricsRegistry()
        var options = f.options()
        options.metrics = registry.factory
        options.dryRun = true
        _ = f.start([ok, bad], options: options, logger: logger)
        func metric(_ name: String, _ labels: [String: String] = [:]) -> Double {
            (try? PrometheusText(String(decoding: registry.exposition(), as: UTF8.self)))?.value(name, labels) ?? 0
        }
        func lines(_ text: String) -> [String] { capture.lines.filter { $0.contains(text) } }

        let wouldCreate = "would create ConfigMap.v1 \(ns)/p-cfg"
        #expect(await poll(until: "the planned create logged", timeout: .seconds(90)) { !lines(wouldCreate).isEmpty })
        #expect(await poll(until: "the planned status write logged", timeout: .seconds(90)) { !lines("would write status of Shadowed.v1.shadow.tend-test.dev \(ns)/p").isEmpty })
        #expect(lines(wouldCreate).allSatisfy { $0.hasPrefix("info ") && $0.contains("rule=shadow-ok") && $0.contains("object=Shadowed.v1.shadow.tend-test.dev \(ns)/p") }, "\(lines(wouldCreate))")
        #expect(metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "create"]) >= 1)
        #expect(metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "status"]) >= 1)

        // The rejected child: a warning with the server's message, and a rejection.
        #expect(await poll(until: "a rejection counted", timeout: .seconds(90)) { metric("tend_shadow_rejections_total", ["rule": "shadow-bad"]) >= 1 })
        let rejected = lines("dry run rejected: apply ConfigMap.v1 \(ns)/q-bad")
        #expect(rejected.count == 1 && rejected.allSatisfy { $0.hasPrefix("warning ") && $0.contains("bad key!") }, "\(capture.lines.suffix(20))")
        #expect(metric("tend_shadow_writes_total", ["rule": "shadow-bad", "operation": "create"]) == 0)

        // Nothing was written.
        #expect((try? await configMaps.get("p-cfg")) == nil, "no child")
        #expect((try? await configMaps.get("q-bad")) == nil, "no rejected child")
        let parent = try await parents.get("p")
        #expect(parent["metadata"]?["resourceVersion"]?.stringValue == version, "parent unchanged: \(parent)")
        #expect(parent["status"] == nil && parent["metadata"]?["finalizers"] == nil)
        #expect(metric("tend_child_writes_total", ["rule": "shadow-ok", "operation": "create"]) == 0)
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns).list()
        #expect(events.items.isEmpty, "no Events: \(events.items.map { $0["reason"] ?? .null })")

        // Reconciled again with the same planned writes: counted, not logged again.
        let before = metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "create"])
        _ = try await parents.patch("p", .merge(["metadata": ["labels": ["touched": "yes"]]]))
        #expect(await poll(until: "reconciled again", timeout: .seconds(90)) { metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "create"]) > before })
        #expect(lines(wouldCreate).count == 1, "\(lines(wouldCreate))")
        // An unrelated annotation: reconciled again, nothing logged again (no line of this object).
        let linesBefore = lines("object=Shadowed.v1.shadow.tend-test.dev \(ns)/p").count
        let countedBefore = metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "create"])
        _ = try await parents.patch("p", .merge(["metadata": ["annotations": ["example.com/note": "unrelated"]]]))
        #expect(await poll(until: "reconciled after the annotation", timeout: .seconds(90)) { metric("tend_shadow_writes_total", ["rule": "shadow-ok", "operation": "create"]) > countedBefore })
        #expect(lines("object=Shadowed.v1.shadow.tend-test.dev \(ns)/p").count == linesBefore, "\(capture.lines.suffix(10))")
        // A change to the planned writes is logged.
        _ = try await parents.patch("p", .merge(["spec": ["value": "other"]]))
        #expect(await poll(until: "the changed plan logged", timeout: .seconds(90)) { lines(wouldCreate).count == 2 })
        #expect((try? await configMaps.get("p-cfg")) == nil)
    }

    /// `tend run --dry-run` as a process: it starts, reports at info level without `-v`, writes nothing.
    @Test func dryRunProcessLogsWouldCreate() async throws {
        let f = try await ReloadProcessTests.Fixture.make("shadow-run")
        try ReloadProcessTests.ruleText(f.ns, value: "1").write(toFile: f.dir + "/rules/rule.yaml", atomically: true, encoding: .utf8)
        let tend = try EngineClusterTests.TendProcess(
            binary: f.binary, arguments: ["run", f.dir + "/rules", "--namespace", f.ns, "--dry-run"], kubeconfig: f.kubeconfig, log: f.dir + "/tend.log")
        defer { if tend.process.isRunning { kill(tend.process.processIdentifier, SIGKILL) } }
        try await f.createParent("p1")
        #expect(await poll(until: "would create logged", timeout: .seconds(90)) { tend.output.contains("would create ConfigMap.v1 \(f.ns)/p1-copy") }, "\(tend.output.suffix(2000))")
        #expect(tend.output.contains("shadow mode"))
        #expect(await f.value("p1-copy") == nil, "nothing written")
        await f.stop(tend)
        await f.cleanUp()
    }
}
