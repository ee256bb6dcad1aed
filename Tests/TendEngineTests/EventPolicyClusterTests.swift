import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendTesting
import TendValue

/// On the real control plane, which Events a rule records (`tend run --events`): by default a
/// routine child create is only logged, while a problem is still a Warning Event; with `all`, each
/// child created is a `Created` Event too.
///
/// One worker, so the second parent is reconciled only after the first one's reconcile (and its
/// Events) is done; Events are written in the order they were recorded, so once the second parent's
/// Warning is stored, any Event of the first parent is stored too.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct EventPolicyClusterTests {
    /// Creates parent `a` (its child is created), then parent `b`, whose child's name is taken by a
    /// ConfigMap Tend does not manage (refused: a `NotOwned` Warning); returns the Events once that
    /// Warning is stored.
    func eventsAfterACreateAndARefusal(_ policy: EventPolicy?) async throws -> (f: EngineFixture, events: [Value]) {
        let f = try await EngineFixture(prefix: "events")
        let rule = try EngineFixture.configMapRule("events", label: "events-parent", value: "yes")
        var options = f.options()
        options.workers = 1
        if let policy { options.events = policy }
        _ = f.start([rule], options: options, logLevel: .error)
        let configMaps = try await f.resource(EngineFixture.configMapKind, namespace: f.namespace)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b-copy"], "data": ["owner": "someone else"]])
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "labels": ["events-parent": "yes"]]])
        await poll(until: "a's child created") { await f.get(EngineFixture.configMapKind, "a-copy") != nil }
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b", "labels": ["events-parent": "yes"]]])
        var events: [Value] = []
        await poll(until: "b's NotOwned Warning") {
            events = (try? await f.events()) ?? []
            return events.contains { $0["involvedObject"]?["name"] == "b" && $0["reason"] == "NotOwned" && $0["type"] == "Warning" }
        }
        #expect(await f.get(EngineFixture.configMapKind, "b-copy")?["data"]?["owner"] == "someone else", "the taken name was not adopted")
        return (f, events)
    }

    @Test func byDefaultARoutineCreateIsNotAnEventButAProblemIs() async throws {
        let (_, events) = try await eventsAfterACreateAndARefusal(nil)
        let ofA = events.filter { $0["involvedObject"]?["name"] == "a" }
        #expect(ofA.isEmpty, "routine create recorded as an Event: \(ofA.map { $0["reason"] ?? .null })")
    }

    @Test func withAllEachChildCreatedIsAnEvent() async throws {
        let (_, events) = try await eventsAfterACreateAndARefusal(.all)
        #expect(events.contains { $0["involvedObject"]?["name"] == "a" && $0["reason"] == "Created" && $0["type"] == "Normal" },
                "\(events.map { "\($0["involvedObject"]?["name"] ?? .null) \($0["reason"] ?? .null)" })")
    }
}
