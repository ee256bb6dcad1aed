import Foundation
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue
import TendYAML

/// Objects that leave a rule's scope while they still exist are released (children deleted,
/// Tend's finalizer removed, a `Released` Event), against the real control plane. An extension of
/// ``EngineClusterTests`` so these run one at a time with the other engine tests.
extension EngineClusterTests {
    static let eventKind = GroupVersionKind(apiVersion: "v1", kind: "Event")!

    /// Whether a `reason` Event was recorded on the object `name` in `namespace`.
    func hasEvent(_ client: KubeClient, _ namespace: String, _ name: String, reason: String) async -> Bool {
        guard let events = try? await client.resource(Self.eventKind, namespace: namespace).list() else { return false }
        return events.items.contains { $0["reason"]?.stringValue == reason && $0["involvedObject"]?["name"]?.stringValue == name }
    }

    @Test func replicateSourceThatLosesItsLabelIsReleasedAndThenDeletesPromptly() async throws {
        let rules = try Self.shippedRules("rules/replicate/rule.yaml")
        let f = try await EngineFixture(prefix: "rl-src")
        let client = f.client
        let src = f.namespace, target = "rl-target-\(f.marker)"
        try await f.createNamespace(target, labels: ["tend.dev/replicas": "enabled"])
        let configMaps = try await client.resource(Self.configMap, namespace: src)
        _ = try await configMaps.create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "labels": ["tend.dev/replicate": "true", "keep": "me"]], "data": ["color": "blue"],
        ])
        _ = f.start(rules, options: EngineOptions())
        await poll(until: "copy in target") { await self.get(client, Self.configMap, target, "settings")?["data"]?["color"] == "blue" }
        await poll(until: "source finalizer") { await self.get(client, Self.configMap, src, "settings")?["metadata"]?["finalizers"] == ["cleanup.tend.dev/replicate-configmaps"] }

        // The label goes: the server-side selector no longer sends the source (a DELETED without a
        // deletionTimestamp). Its copy is deleted and its finalizer removed; the source stays.
        _ = try await configMaps.patch("settings", .merge(["metadata": ["labels": ["tend.dev/replicate": .null]]]))
        await poll(until: "copy deleted") { await self.get(client, Self.configMap, target, "settings") == nil }
        await poll(until: "finalizer removed") {
            let finalizers = await self.get(client, Self.configMap, src, "settings")?["metadata"]?["finalizers"]
            return finalizers == nil || finalizers == .array([])
        }
        let released = try #require(await get(client, Self.configMap, src, "settings"), "the source itself stays")
        #expect(released["data"] == ["color": "blue"])
        #expect(released["metadata"]?["labels"] == ["keep": "me"])
        await poll(until: "Released event") { await self.hasEvent(client, src, "settings", reason: "Released") }
        // One Event for the release, though it took two steps (the copy, then the finalizer).
        try await Task.sleep(for: .seconds(2))
        let releasedEvents = ((try? await client.resource(Self.eventKind, namespace: src).list())?.items ?? [])
            .filter { $0["reason"] == "Released" && $0["involvedObject"]?["name"] == "settings" }
        #expect(releasedEvents.count == 1, "\(releasedEvents.map { $0["message"] ?? .null })")
        #expect(releasedEvents.first?["count"] == 1)
        let message = releasedEvents.first?["message"]?.stringValue ?? ""
        #expect(message.contains("deleted ConfigMap.v1 \(target)/settings") && message.contains("removed finalizer cleanup.tend.dev/replicate-configmaps"), "\(message)")

        // Nothing holds it any more: deleting it completes at once.
        _ = try await configMaps.delete("settings")
        await poll(until: "source gone promptly", timeout: .seconds(10)) { await self.get(client, Self.configMap, src, "settings") == nil }
    }

    /// A `rules/replicate` source in a new namespace with its copy in another one, reconciled by an
    /// engine that is still running (`engine`): the copy exists and the source holds Tend's finalizer.
    func replicatedSource(_ prefix: String) async throws -> (
        fixture: EngineFixture, rules: [Rule], src: String, target: String, configMaps: ResourceClient, engine: Task<Void, any Error>
    ) {
        let rules = try Self.shippedRules("rules/replicate/rule.yaml")
        let f = try await EngineFixture(prefix: "\(prefix)-src")
        let client = f.client
        let src = f.namespace, target = "\(prefix)-target-\(f.marker)"
        try await f.createNamespace(target, labels: ["tend.dev/replicas": "enabled"])
        let configMaps = try await client.resource(Self.configMap, namespace: src)
        _ = try await configMaps.create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "labels": ["tend.dev/replicate": "true"]], "data": ["color": "blue"],
        ])
        let (_, first) = f.start(rules, options: EngineOptions())
        await poll(until: "copy in target") { await self.get(client, Self.configMap, target, "settings") != nil }
        await poll(until: "source finalizer") { await self.get(client, Self.configMap, src, "settings")?["metadata"]?["finalizers"] == ["cleanup.tend.dev/replicate-configmaps"] }
        return (f, rules, src, target, configMaps, first)
    }

    /// The source loses its label while no engine runs: nothing sends a DELETED for it, and its
    /// only child is in another namespace (no ownerReference). The next engine finds the source
    /// through the copy's `tend.dev/owner` annotation and releases it.
    @Test func sourceUnlabelledWhileTendWasDownIsReleasedAtTheNextStart() async throws {
        let (f, rules, src, target, configMaps, first) = try await replicatedSource("rd")
        let client = f.client
        #expect(await get(client, Self.configMap, target, "settings")?["metadata"]?["annotations"]?[Rule.ownerAnnotation] == .string("\(src)/settings"))
        first.cancel()
        _ = try? await first.value

        _ = try await configMaps.patch("settings", .merge(["metadata": ["labels": ["tend.dev/replicate": .null]]]))
        try await Task.sleep(for: .seconds(1))
        #expect(await get(client, Self.configMap, target, "settings") != nil, "no engine ran: the copy is still there")

        let (_, second) = f.start(rules, options: EngineOptions())
        await poll(until: "copy deleted by the next engine") { await self.get(client, Self.configMap, target, "settings") == nil }
        await poll(until: "finalizer removed") {
            let finalizers = await self.get(client, Self.configMap, src, "settings")?["metadata"]?["finalizers"]
            return finalizers == nil || finalizers == .array([])
        }
        second.cancel()
        _ = try await configMaps.delete("settings")
    }

    /// C4 #19 †: the source is deleted while no engine runs. Tend's finalizer holds it (with a
    /// deletionTimestamp); the next engine finds it in its first list, runs the cleanup (the copy in
    /// the other namespace is deleted) and removes the finalizer, and the source goes.
    @Test func sourceDeletedWhileTendWasDownIsCleanedUpAtTheNextStart() async throws {
        let (f, rules, src, target, configMaps, first) = try await replicatedSource("dd")
        let client = f.client
        first.cancel()
        _ = try? await first.value

        try await configMaps.delete("settings")
        try await Task.sleep(for: .seconds(1))
        #expect(await get(client, Self.configMap, src, "settings")?["metadata"]?["deletionTimestamp"] != nil, "held by the finalizer")
        #expect(await get(client, Self.configMap, target, "settings") != nil, "no engine ran: the copy is still there")

        _ = f.start(rules, options: EngineOptions())
        await poll(until: "copy deleted by the next engine") { await self.get(client, Self.configMap, target, "settings") == nil }
        await poll(until: "source gone once its finalizer was removed") { await self.get(client, Self.configMap, src, "settings") == nil }
    }

    @Test func objectLeavingFilterOrSelectorIsReleasedAndComesBack() async throws {
        let f = try await EngineFixture(prefix: "rl-home")
        let (client, s) = (f.client, f.marker)
        let home = f.namespace, other = "rl-other-\(s)"
        // One child beside the object (ownerReference), one in another namespace (finalizer), and one
        // reading the first (dependency order).
        let yaml = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: release-\(s)}
            spec:
              watch:
                apiVersion: v1
                kind: ConfigMap
                namespaces: ["\(home)"]
                selector: {matchLabels: {release-test: "\(s)"}}
                when: ${has(self.data) && has(self.data.enabled) && self.data.enabled == "yes"}
              children:
                - id: reply
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-reply"}, data: {from: "${self.metadata.name}"}}
                - id: echo
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-echo"}, data: {reply: "${reply.metadata.name}"}}
                - id: audit
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: "\(other)"}, data: {from: "\(home)"}}
            """
        let rule = try EngineFixture.rule(yaml)
        try await f.createNamespace(other)
        let configMaps = try await client.resource(Self.configMap, namespace: home)
        _ = try await configMaps.create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "app", "labels": ["release-test": .string(s)]], "data": ["enabled": "yes"],
        ])
        _ = f.start([rule], options: EngineOptions())
        func children() async -> [Bool] {
            [await get(client, Self.configMap, home, "app-reply") != nil, await get(client, Self.configMap, home, "app-echo") != nil,
             await get(client, Self.configMap, other, "app") != nil]
        }
        func finalizers() async -> Value? { await get(client, Self.configMap, home, "app")?["metadata"]?["finalizers"] }
        await poll(until: "children created") { await children() == [true, true, true] }
        await poll(until: "finalizer added") { await finalizers() == [.string(rule.finalizer)] }
        let before = try #require(await get(client, Self.configMap, home, "app"))

        // The CEL filter turns false (the object stays in the cache, deselected on the client side).
        _ = try await configMaps.patch("app", .merge(["data": ["enabled": "no"]]))
        await poll(until: "children deleted after the filter turned false") { await children() == [false, false, false] }
        await poll(until: "finalizer removed") { let f = await finalizers(); return f == nil || f == .array([]) }
        let released = try #require(await get(client, Self.configMap, home, "app"))
        #expect(released["data"] == ["enabled": "no"], "only the user's change")
        #expect(released["metadata"]?["labels"] == before["metadata"]?["labels"])
        #expect(released["metadata"]?["annotations"] == before["metadata"]?["annotations"])
        await poll(until: "Released event") { await self.hasEvent(client, home, "app", reason: "Released") }

        // It matches again: reconciled again, children back.
        _ = try await configMaps.patch("app", .merge(["data": ["enabled": "yes"]]))
        await poll(until: "children back") { await children() == [true, true, true] }
        await poll(until: "finalizer back") { await finalizers() == [.string(rule.finalizer)] }

        // The label goes (the server-side selector stops sending it): released again.
        _ = try await configMaps.patch("app", .merge(["metadata": ["labels": ["release-test": .null]]]))
        await poll(until: "children deleted after the label went") { await children() == [false, false, false] }
        await poll(until: "finalizer removed again") { let f = await finalizers(); return f == nil || f == .array([]) }
        #expect(await get(client, Self.configMap, home, "app")?["data"] == ["enabled": "yes"])

        // Relabelled: children come back.
        _ = try await configMaps.patch("app", .merge(["metadata": ["labels": ["release-test": .string(s)]]]))
        await poll(until: "children back after relabelling") { await children() == [true, true, true] }
    }
}
