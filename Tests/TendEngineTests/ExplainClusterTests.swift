import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// `tend explain` against the live cluster, with a ConfigMap-watching rule in a namespace of its
/// own (no shared CRD): a selected object gets its reasons, plan and Events; one outside the
/// rule's label selector is explained as not selected, with the label that decided it.
@Suite(.enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ExplainClusterTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    static func rule(_ marker: String) throws -> Rule {
        try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: explain-\(marker)}
            spec:
              watch:
                apiVersion: v1
                kind: ConfigMap
                selector: {matchLabels: {explain-test: "\(marker)"}}
              children:
                - id: copy
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "${self.metadata.name}-copy"}
                    data: {from: "${self.metadata.name}"}
                  readyWhen: ["${has(copy.data.ready)}"]
                - id: extra
                  includeWhen: ["${has(self.data.extra)}"]
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-extra"}}
            """)
    }

    @Test func explainsASelectedObjectAndOneOutsideTheLabelSelector() async throws {
        let f = try await EngineFixture(prefix: "explain", labels: ["team": "a"])
        let (client, ns, marker) = (f.client, f.namespace, f.marker)
        let rule = try Self.rule(marker)
        var logger = Logger(label: "explain-test")
        logger.logLevel = .warning
        let configMaps = try await client.resource(Self.configMap, namespace: ns)
        let selected = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "shop", "labels": ["explain-test": .string(marker)]], "data": ["a": "1"]])
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "other", "labels": ["explain-test": "someone-else"]]])
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns)
        for (i, reason) in ["First", "Second"].enumerated() {
            let time = RFC3339.format(Date(timeIntervalSinceNow: Double(i * 10 - 60)))
            _ = try await events.create([
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": .string("shop.\(i)"), "namespace": .string(ns)],
                "involvedObject": ["apiVersion": "v1", "kind": "ConfigMap", "name": "shop", "namespace": .string(ns), "uid": selected["metadata"]?["uid"] ?? .null],
                "reason": .string(reason), "message": .string("event \(i)"), "type": "Normal",
                "firstTimestamp": .string(time), "lastTimestamp": .string(time), "source": ["component": "explain-test"],
            ])
        }
        let engine = Engine(rules: [rule], client: client, options: EngineOptions(), logger: logger)

        // Selected: every check passes, the plan creates the copy, the extra is left out, Events newest first.
        let e = try await engine.explain("cm", name: "shop", namespace: ns)
        #expect(e.isSelected)
        let explained = try #require(e.rules.first)
        #expect(explained.checks.map(\.criterion) == [.kind, .namespace, .labelSelector])
        #expect(explained.checks.first { $0.criterion == .labelSelector }?.detail == "explain-test=\(marker) matches labels {explain-test=\(marker)}")
        let plan = try #require(explained.plan)
        #expect(plan.children.map { "\($0.id) \($0.action)" } == ["copy create"])
        let trace = try #require(plan.trace)
        #expect(trace.children.first { $0.id == "extra" }?.outcome == .excluded)
        #expect(trace.children.first { $0.id == "extra" }?.includeWhen.first?.value == false)
        #expect(e.live?.events.map { $0["reason"]?.stringValue ?? "" } == ["Second", "First"])
        let text = ExplainRenderer(color: false).render(e)
        #expect(text.contains("rule explain-\(marker): selects this object"), "\(text)")
        #expect(text.contains("    copy: + create ConfigMap.v1 \(ns)/shop-copy"), "\(text)")
        #expect(text.contains("Normal Second: event 1"), "\(text)")
        #expect((try? await configMaps.get("shop-copy")) == nil, "explain must write nothing")

        // Not selected: the label selector decides, and the plan is not computed.
        let other = try await engine.explain("configmaps", name: "other", namespace: ns)
        #expect(!other.isSelected)
        let check = try #require(other.rules.first?.checks.first { $0.criterion == .labelSelector })
        #expect(!check.passed)
        #expect(check.detail == "explain-test=\(marker) does not match labels {explain-test=someone-else}")
        #expect(other.rules.first?.plan == nil)

        // Missing: a not-found error.
        await #expect(throws: KubeError.self) { try await engine.explain("ConfigMap", name: "missing", namespace: ns) }
    }
}
