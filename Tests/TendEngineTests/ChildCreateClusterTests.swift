import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendTesting
import TendValue

/// On the real control plane, the create of a child: one request when its name is free, and an
/// object of that name that Tend does not manage left exactly as it was, whether the create's
/// fields clash with its own (the server refuses the apply) or not (the apply's additions are
/// released at once).
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ChildCreateClusterTests {
    static let cm = EngineFixture.configMapKind

    /// The managers in `object`'s `managedFields`, sorted.
    static func managers(_ object: Value?) -> [String] {
        (object?["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }.sorted()
    }

    @Test func aNewChildIsCreatedWithoutReadingItFirst() async throws {
        let f = try await EngineFixture(prefix: "create")
        let rule = try EngineFixture.configMapRule("one-apply", label: "one-apply-parent", value: "yes", data: "{k: v}")
        let engineClient = f.makeClient()
        _ = f.start([rule], client: engineClient, logLevel: .error)
        let configMaps = try await f.resource(Self.cm, namespace: f.namespace)
        // A first parent, so the engine has synced and discovered before the counting starts.
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p0", "labels": ["one-apply-parent": "yes"]]])
        await poll(until: "p0's child") { await f.get(Self.cm, "p0-copy") != nil }
        try await Task.sleep(for: .seconds(1))
        let before = engineClient.requestCounts
        let parents = 10
        for i in 1...parents {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("p\(i)"), "labels": ["one-apply-parent": "yes"]]])
        }
        await poll(until: "every child created") {
            var all = true
            for i in 1...parents where await f.get(Self.cm, "p\(i)-copy") == nil { all = false }
            return all
        }
        try await Task.sleep(for: .seconds(2))
        let after = engineClient.requestCounts
        let delta = after.merging(before) { a, b in a - b }.filter { $0.value != 0 }
        // One request per new child, its apply: no GET before it, and no write of the parent (the
        // kind went into the rule's inventory record once, with p0's child).
        #expect(delta["get", default: 0] == 0, "reads: \(delta)")
        #expect(delta["apply", default: 0] == parents, "applies for \(parents) parents with one child each: \(delta)")
        #expect(delta.keys.allSatisfy { ["apply", "watch"].contains($0) }, "requests: \(delta)")
        for i in 1...parents {
            let child = await f.get(Self.cm, "p\(i)-copy")
            #expect(child?["data"]?["k"] == "v")
            #expect(Self.managers(child) == ["tend/one-apply"], "p\(i)-copy: \(Self.managers(child))")
            let parent = await f.get(Self.cm, "p\(i)")
            #expect(parent?["metadata"]?["annotations"]?["inventory.tend.dev/one-apply"] == nil, "p\(i) is not written")
        }
        let record = await f.get(Self.cm, "tend-inventory")
        #expect(record?["data"] == ["one-apply.ConfigMap.v1": "v1/ConfigMap"], "the inventory record: \(String(describing: record))")
    }

    /// `theirData` decides whether the rule's create clashes with the object already there
    /// (`data.k` set to another value: the server refuses the apply) or not (other keys: the apply
    /// goes through, and its additions are released).
    @Test(arguments: [("free-keys", ["mine": "1"] as Value), ("same-key", ["k": "theirs"] as Value)])
    func aTakenNameIsLeftAsItWas(_ name: String, _ theirData: Value) async throws {
        let f = try await EngineFixture(prefix: "taken")
        let rule = try EngineFixture.configMapRule("taker", label: "taker-parent", value: "yes", data: "{k: v}")
        _ = f.start([rule], logLevel: .error)
        let configMaps = try await f.resource(Self.cm, namespace: f.namespace)
        let theirs = try await configMaps.create(
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "t-copy", "labels": ["team": "a"]], "data": theirData],
            options: WriteOptions(fieldManager: "someone"))
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "t", "labels": ["taker-parent": "yes"]]])
        await poll(until: "t's NotOwned Warning") {
            let events = (try? await f.events()) ?? []
            return events.contains { $0["involvedObject"]?["name"] == "t" && $0["reason"] == "NotOwned" && $0["type"] == "Warning" }
        }
        // Left as it was, and no longer written: the next reconciles only read it.
        try await Task.sleep(for: .seconds(1))
        let settled = try #require(await f.get(Self.cm, "t-copy"))
        #expect(settled["data"] == theirData, "\(name): \(settled["data"] ?? .null)")
        #expect(settled["metadata"]?["labels"] == ["team": "a"], "\(name): \(settled["metadata"]?["labels"] ?? .null)")
        #expect(Self.managers(settled) == ["someone"], "\(name): \(Self.managers(settled))")
        #expect(settled["metadata"]?["uid"] == theirs["metadata"]?["uid"])
        try await Task.sleep(for: .seconds(4))
        let later = await f.get(Self.cm, "t-copy")
        #expect(later?["metadata"]?["resourceVersion"] == settled["metadata"]?["resourceVersion"], "\(name): written again after the refusal")

        // Once the name is free, the retried reconcile creates the child.
        _ = try await configMaps.delete("t-copy")
        await poll(until: "t's child created once the name is free") {
            await f.get(Self.cm, "t-copy")?["metadata"]?["labels"]?["tend.dev/rule"] == "taker"
        }
        #expect(await f.get(Self.cm, "t-copy")?["data"] == ["k": "v"])
    }
}
