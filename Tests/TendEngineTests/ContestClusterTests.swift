import Foundation
import Logging
import Synchronization
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// A fight with another writer over a child's field, against the real control plane: the test
/// plays the rival, setting `data.x` back to "b" (field manager `rival`) whenever it sees Tend's "a".
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(3)), .awaitsCleanup)
struct ContestClusterTests {
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let fight: Duration = .seconds(20)

    struct Fight {
        /// Tend's drift re-applies of the child during the fight (`tend_child_writes_total{operation="update"}`).
        var tendUpdates: Int
        /// The rival's patches.
        var rivalPatches: Int
        /// Messages of `ChildContested` Events on the parent.
        var events: [String]
    }

    /// Runs the engine with `policy`, fights for ``fight``, then waits up to `eventTimeout` for a
    /// `ChildContested` Event.
    func fight(policy: ContestTracker.Policy, eventTimeout: Duration) async throws -> Fight {
        let f = try await EngineFixture(prefix: "contest")
        let (setup, ns) = (f.client, f.namespace)
        let rule = try EngineFixture.configMapRule(ns, label: "contest-test", value: "yes", id: "config", suffix: "config", data: #"{x: "a"}"#, file: "contest.yaml")
        let configMaps = try await setup.resource(Self.configMap, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web", "labels": ["contest-test": "yes"]]])

        let registry = MetricsRegistry()
        let client = f.makeClient()
        var options = f.options()
        options.metrics = registry.factory
        let engine = f.engine([rule], options: options, client: client, logLevel: .error)
        for controller in engine.controllers { controller.contests.tracker.withLock { $0 = ContestTracker(policy: policy) } }
        let running = f.run(engine)
        func updates() throws -> Int {
            let text = try PrometheusText(String(decoding: registry.exposition(), as: UTF8.self))
            return Int(text.value(ChildWriteMetrics.name, ["rule": ns, "operation": "update"]) ?? 0)
        }

        var created = false
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            if (try? await configMaps.get("web-config"))?["data"]?["x"] == "a" { created = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(created, "the child was created")

        // The rival: whenever it sees "a", it writes "b" back.
        let before = try updates()
        var patches = 0
        let end = ContinuousClock.now + Self.fight
        while ContinuousClock.now < end {
            if (try? await configMaps.get("web-config"))?["data"]?["x"] == "a" {
                _ = try? await configMaps.patch("web-config", .merge(["data": ["x": "b"]]), options: WriteOptions(fieldManager: "rival"))
                patches += 1
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let tendUpdates = try updates() - before

        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns)
        var contested: [String] = []
        let eventDeadline = ContinuousClock.now + eventTimeout
        repeat {
            let list = try await events.list(ListOptions())
            contested = list.items
                .filter { $0["reason"] == "ChildContested" && $0["involvedObject"]?["name"] == "web" }
                .compactMap { $0["message"]?.stringValue }
            if !contested.isEmpty { break }
            try await Task.sleep(for: .milliseconds(300))
        } while ContinuousClock.now < eventDeadline

        running.cancel()
        _ = try? await running.value
        return Fight(tendUpdates: tendUpdates, rivalPatches: patches, events: contested)
    }

    @Test func aFightIsReportedOnceAndThrottled() async throws {
        let result = try await fight(policy: ContestTracker.Policy(), eventTimeout: .seconds(30))
        print("contest: throttled fight over \(Self.fight): \(result.tendUpdates) Tend updates, \(result.rivalPatches) rival patches")
        #expect(result.events.count == 1, "one ChildContested Event: \(result.events)")
        let message = try #require(result.events.first)
        print("contest: event: \(message)")
        #expect(message.contains("rival (Update)"), "\(message)")
        #expect(message.contains("data.x"), "\(message)")
        #expect(message.hasPrefix("ConfigMap "), "\(message)")
        // Unthrottled, Tend answers every rival patch (see the next test); throttled: 5 re-applies to
        // notice, then one after 5 s, one after 10 more.
        #expect(result.tendUpdates >= 5, "the contest needs 5 re-applies")
        #expect(result.tendUpdates < 30, "Tend's writes during the fight are bounded: \(result.tendUpdates)")
    }

    /// The baseline the bound above is measured against: with the threshold out of reach, Tend
    /// re-applies after every rival patch.
    @Test func anUnthrottledFightLoopsAsFastAsTheRival() async throws {
        let result = try await fight(policy: ContestTracker.Policy(threshold: .max), eventTimeout: .seconds(1))
        print("contest: unthrottled fight over \(Self.fight): \(result.tendUpdates) Tend updates, \(result.rivalPatches) rival patches")
        #expect(result.events.isEmpty)
        #expect(result.tendUpdates >= 30, "an unthrottled fight: \(result.tendUpdates) updates")
    }
}
