import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// `tend.dev/reconcile: suspended` against the real control plane: a suspended object's children
/// are left alone while an unsuspended one changed at the same time is reconciled; removing the
/// annotation catches up. A ConfigMap rule in a namespace of its own, the engine limited to it.
@Suite(.enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct SuspendClusterTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let event = GroupVersionKind(apiVersion: "v1", kind: "Event")!

    @Test func suspendedObjectIsLeftAloneUntilTheAnnotationGoes() async throws {
        let f = try await EngineFixture(prefix: "suspend")
        let (client, ns, marker) = (f.client, f.namespace, f.marker)
        let rule = try EngineFixture.configMapRule("suspend-\(marker)", label: "suspend-test", value: marker, data: #"{value: "${self.data.value}"}"#)
        let configMaps = try await client.resource(Self.configMap, namespace: ns)
        for name in ["held", "free"] {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": ["suspend-test": .string(marker)]], "data": ["value": "1"]])
        }
        _ = f.start([rule])
        func copy(_ name: String) async -> Value? { (try? await configMaps.get("\(name)-copy"))?["data"]?["value"] }
        await poll(until: "both copies created") {
            let (held, free) = (await copy("held"), await copy("free"))
            return held == "1" && free == "1"
        }

        // Suspend `held`; the engine says so once with a Normal Event.
        _ = try await configMaps.patch("held", .merge(["metadata": ["annotations": ["tend.dev/reconcile": "suspended"]]]))
        await poll(until: "Suspended event") {
            let events = (try? await client.resource(Self.event, namespace: ns).list().items) ?? []
            return events.contains { $0["reason"] == "Suspended" && $0["involvedObject"]?["name"] == "held" && $0["type"] == "Normal" }
        }
        // Both change at the same time; `held`'s copy is also edited by hand (normally reverted).
        _ = try await configMaps.patch("held", .merge(["data": ["value": "2"]]))
        _ = try await configMaps.patch("free", .merge(["data": ["value": "2"]]))
        _ = try await configMaps.patch("held-copy", .merge(["data": ["value": "hand"]]))
        await poll(until: "positive control: the unsuspended object's copy follows") { await copy("free") == "2" }
        // A short bounded wait after the control caught up: the suspended object's copy stays as it is.
        let quiet = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < quiet {
            let value = await copy("held")
            #expect(value == "hand", "a suspended object's child changed: \(value ?? .null)")
            if value != "hand" { break }
            try await Task.sleep(for: .milliseconds(250))
        }

        // Resumed: the annotation's removal is an update, and the child catches up.
        _ = try await configMaps.patch("held", .merge(["metadata": ["annotations": ["tend.dev/reconcile": .null]]]))
        await poll(until: "the resumed object's copy catches up") { await copy("held") == "2" }
        let events = (try? await client.resource(Self.event, namespace: ns).list().items) ?? []
        #expect(events.filter { $0["reason"] == "Suspended" }.count == 1, "one Suspended event, not one per reconcile")
        #expect(events.first { $0["reason"] == "Suspended" }?["count"]?.intValue ?? 1 == 1)
    }
}
