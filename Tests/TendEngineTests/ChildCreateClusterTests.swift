import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendTesting
import TendValue

/// On the real control plane, the create of a child: one `POST` when its name is free; an object of
/// that name that Tend does not manage left exactly as it was; a field a later template stops
/// setting removed from a created child as from an applied one (the create's `Update` entry moved
/// into the rule's Apply entry at the first update), server defaults kept; and a child the server
/// would store from a create but refuses to apply not left behind.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .awaitsCleanup)
struct ChildCreateClusterTests {
    static let cm = EngineFixture.configMapKind

    /// The managers in `object`'s `managedFields`, sorted.
    static func managers(_ object: Value?) -> [String] {
        (object?["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }.sorted()
    }

    /// `manager:operation` of each entry of `object`'s `managedFields`, sorted.
    static func entries(_ object: Value?) -> [String] {
        (object?["metadata"]?["managedFields"]?.arrayValue ?? []).map { "\($0["manager"]?.stringValue ?? ""):\($0["operation"]?.stringValue ?? "")" }.sorted()
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
        // One request per new child, its create: no GET before it, and no write of the parent (the
        // kind went into the rule's inventory record once, with p0's child).
        #expect(delta["get", default: 0] == 0, "reads: \(delta)")
        #expect(delta["create", default: 0] == parents, "creates for \(parents) parents with one child each: \(delta)")
        #expect(delta.keys.allSatisfy { ["create", "watch"].contains($0) }, "requests: \(delta)")
        for i in 1...parents {
            let child = await f.get(Self.cm, "p\(i)-copy")
            #expect(child?["data"]?["k"] == "v")
            #expect(Self.managers(child) == ["tend/one-apply"], "p\(i)-copy: \(Self.managers(child))")
            #expect(Self.entries(child) == ["tend/one-apply:Update"], "the create's entry")
            let parent = await f.get(Self.cm, "p\(i)")
            #expect(parent?["metadata"]?["annotations"]?["inventory.tend.dev/one-apply"] == nil, "p\(i) is not written")
        }
        let record = await f.get(Self.cm, "tend-inventory")
        #expect(record?["data"] == ["one-apply.ConfigMap.v1": "v1/ConfigMap"], "the inventory record: \(String(describing: record))")
    }

    /// `theirData` decides whether the rule's child would clash with the object already there
    /// (`data.k` set to another value) or not (other keys): either way the create is refused and
    /// nothing is written to their object.
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

    /// A child created by a `POST`, then updated: the key the parent's data no longer has is
    /// removed, the child ends with the rule's Apply entry alone, and it is not written again.
    @Test func aFieldACreatedChildNoLongerHasIsRemoved() async throws {
        let f = try await EngineFixture(prefix: "created-update")
        let rule = try EngineFixture.configMapRule("copier", label: "copier-parent", value: "yes", data: "\"${self.data}\"")
        _ = f.start([rule], logLevel: .error)
        let configMaps = try await f.resource(Self.cm, namespace: f.namespace)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["copier-parent": "yes"]], "data": ["a": "1", "b": "2"]])
        await poll(until: "the child created") { await f.get(Self.cm, "p-copy")?["data"] == ["a": "1", "b": "2"] }
        #expect(Self.entries(await f.get(Self.cm, "p-copy")) == ["tend/copier:Update"])

        _ = try await configMaps.patch("p", .merge(["data": ["a": "one", "b": .null]]))
        await poll(until: "b removed from the child") { await f.get(Self.cm, "p-copy")?["data"] == ["a": "one"] }
        await poll(until: "the rule's Apply entry alone") { Self.entries(await f.get(Self.cm, "p-copy")) == ["tend/copier:Apply"] }
        let settled = await f.get(Self.cm, "p-copy")
        try await Task.sleep(for: .seconds(2))
        #expect(await f.get(Self.cm, "p-copy")?["metadata"]?["resourceVersion"] == settled?["metadata"]?["resourceVersion"], "written again after it settled")

        // And later removals too, now through the Apply entry alone.
        _ = try await configMaps.patch("p", .merge(["data": ["c": "3", "a": .null]]))
        await poll(until: "a removed from the child") { await f.get(Self.cm, "p-copy")?["data"] == ["c": "3"] }
    }

    static let deploymentRule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: deployer}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {deployer-parent: "yes"}}}
          children:
            - id: app
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${self.metadata.name}-app"}
                spec:
                  replicas: ${int(self.data.replicas)}
                  selector: {matchLabels: {app: "${self.metadata.name}"}}
                  template:
                    metadata: {labels: {app: "${self.metadata.name}"}}
                    spec:
                      containers:
                        - name: app
                          image: ${self.data.image}
        """

    /// A created Deployment carries the server's defaults in the create's entry: its first update
    /// moves them to the rule, releases them and the server fills them in again, so the update goes
    /// through and the defaults stay.
    @Test func aCreatedChildsDefaultsSurviveItsFirstUpdate() async throws {
        let f = try await EngineFixture(prefix: "created-defaults")
        let rule = try EngineFixture.rule(Self.deploymentRule)
        _ = f.start([rule], logLevel: .error)
        let configMaps = try await f.resource(Self.cm, namespace: f.namespace)
        let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "d", "labels": ["deployer-parent": "yes"]], "data": ["replicas": "1", "image": "example/app:1"]])
        await poll(until: "the Deployment created") { await f.get(deployment, "d-app") != nil }
        _ = try await configMaps.patch("d", .merge(["data": ["replicas": "2", "image": "example/app:2"]]))
        await poll(until: "the Deployment updated") {
            let d = await f.get(deployment, "d-app")
            return d?["spec"]?["replicas"] == 2 && d?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "example/app:2"
        }
        let updated = try #require(await f.get(deployment, "d-app"))
        #expect(updated["spec"]?["strategy"]?["type"] == "RollingUpdate", "a default kept")
        #expect(updated["spec"]?["template"]?["spec"]?["restartPolicy"] == "Always", "a default kept")
        #expect(updated["spec"]?["template"]?["spec"]?["containers"]?[0]?["terminationMessagePolicy"] == "File", "a default kept")
        await poll(until: "the rule's Apply entry alone") { !Self.entries(await f.get(deployment, "d-app")).contains("tend/deployer:Update") }
        let events = try await f.events()
        #expect(!events.contains { $0["involvedObject"]?["name"] == "d" && $0["type"] == "Warning" }, "no failure: \(events.filter { $0["type"] == "Warning" }.map { $0["message"] ?? .null })")
    }

    /// Two env items of one name: a create stores it, an apply refuses it. The child is reported
    /// failed with the apply's error, and no Pod is left.
    @Test func aChildTheServerWouldNotApplyIsNotLeftBehind() async throws {
        let f = try await EngineFixture(prefix: "created-refused")
        let rule = try EngineFixture.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: podder}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {podder-parent: "yes"}}}
              children:
                - id: pod
                  template:
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: "${self.metadata.name}-pod"}
                    spec:
                      containers:
                        - name: c
                          image: example/app
                          env: '${self.data.map(k, {"name": "SAME", "value": self.data[k]})}'
            """)
        _ = f.start([rule], logLevel: .error)
        let configMaps = try await f.resource(Self.cm, namespace: f.namespace)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "q", "labels": ["podder-parent": "yes"]], "data": ["a": "1", "b": "2"]])
        await poll(until: "q's apply failure") {
            let events = (try? await f.events()) ?? []
            return events.contains { $0["involvedObject"]?["name"] == "q" && $0["type"] == "Warning" && ($0["message"]?.stringValue ?? "").contains("duplicate entries") }
        }
        let pod = GroupVersionKind(apiVersion: "v1", kind: "Pod")!
        try await Task.sleep(for: .seconds(2))
        #expect(await f.get(pod, "q-pod") == nil, "the Pod the create stored is deleted")
    }
}
