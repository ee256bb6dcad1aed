import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// The engine against the real control plane: `tend run`'s code path, rule by rule semantics.
/// Its tests run the shipped rules, which watch cluster-wide: the suite holds their lock, so the
/// differential tests (which run them too) never run at the same time.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .exclusive(on: ExclusiveClusterObject.shippedRules), .awaitsCleanup)
struct EngineClusterTests {
    static let webapp = GroupVersionKind(apiVersion: "example.com/v1", kind: "WebApp")!
    static let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
    static let service = GroupVersionKind(apiVersion: "v1", kind: "Service")!
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!

    static func rule() throws -> Rule {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("rules/webapp/rule.yaml").path
        let loaded = RuleLoader().load(paths: [path])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return try #require(loaded.rules.first)
    }

    func get(_ client: KubeClient, _ kind: GroupVersionKind, _ ns: String, _ name: String) async -> Value? {
        try? await client.resource(kind, namespace: ns).get(name)
    }

    @Test(.exclusive(on: "webapps.example.com")) func webappRuleEndToEnd() async throws {
        let cluster = try LocalCluster.require()
        let rule = try Self.rule()
        // A CRD left by an earlier run is removed with a separate client, so the engine's client
        // starts with discovery that has never seen the kind.
        let setup = KubeClient(configuration: cluster.configuration)
        let setupCRDs = try await setup.resource(GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!)
        if (try? await setupCRDs.get("webapps.example.com")) != nil {
            _ = try? await setupCRDs.delete("webapps.example.com")
            await poll(until: "old CRD gone") { (try? await setupCRDs.get("webapps.example.com")) == nil }
            try await Task.sleep(for: .seconds(2))
        }
        await setup.shutdown()
        let f = try await EngineFixture(prefix: "engine")
        let (client, ns) = (f.client, f.namespace)

        // The engine starts before the CRD exists: the rule waits, then starts when it appears.
        let crds = try await client.resource(GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!)
        // Scoped to its namespace: the write counts below must not see another test's WebApps.
        var options = f.options()
        options.kindRetryInterval = .milliseconds(500)
        let (_, running) = f.start([rule], options: options)
        try await Task.sleep(for: .seconds(1))
        let crd = try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name))
        _ = try await crds.create(crd)
        await poll(until: "CRD established") {
            (await self.get(client, GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!, "", "webapps.example.com"))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
        }
        let webapps = try await waitForResource(client, Self.webapp, ns)
        _ = try await webapps.create([
            "apiVersion": "example.com/v1", "kind": "WebApp",
            "metadata": ["name": "shop", "labels": ["tier": "web"]],
            "spec": ["image": "nginx:1.27", "replicas": 2, "expose": true, "hosts": ["www", "api"]],
        ])

        // Children appear, in dependency order; routes read the service's cluster IP.
        await poll(until: "children created") {
            let d = await self.get(client, Self.deployment, ns, "shop")
            let s = await self.get(client, Self.service, ns, "shop")
            let a = await self.get(client, Self.configMap, ns, "shop-www")
            let b = await self.get(client, Self.configMap, ns, "shop-api")
            return d != nil && s != nil && a != nil && b != nil
        }
        let service = try #require(await get(client, Self.service, ns, "shop"))
        let route = try #require(await get(client, Self.configMap, ns, "shop-www"))
        #expect(route["data"]?["url"] == service["spec"]?["clusterIP"])
        let deployment = try #require(await get(client, Self.deployment, ns, "shop"))
        #expect(deployment["metadata"]?["ownerReferences"]?[0]?["kind"] == "WebApp")
        #expect(deployment["metadata"]?["labels"]?["tend.dev/rule"] == "webapp")
        await poll(until: "status Pending with url") {
            let s = await self.get(client, Self.webapp, ns, "shop")?["status"]
            return s?["phase"] == "Pending" && s?["url"]?.stringValue?.hasPrefix("http://") == true
        }

        // Deployments stay unavailable without kubelets; patching their status drives the phase.
        let deployments = try await client.resource(Self.deployment, namespace: ns)
        _ = try await deployments.patchStatus("shop", .merge(["status": ["replicas": 2, "availableReplicas": 2, "readyReplicas": 2]]))
        await poll(until: "phase Running and Ready") {
            let s = await self.get(client, Self.webapp, ns, "shop")?["status"]
            return s?["phase"] == "Running" && s?["conditions"]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } == true
        }

        // Level-based and idempotent: a reconcile of an unchanged world sends no write at all (counted on
        // the engine's client; the touch that triggers the reconcile goes through another client).
        let before = await snapshotVersions(client, ns)
        try await Task.sleep(for: .seconds(1))
        let writesBefore = client.writeCount
        let other = KubeClient(configuration: cluster.configuration)
        _ = try await other.resource(Self.webapp, namespace: ns).patch("shop", .merge(["metadata": ["annotations": ["touch": "1"]]]))
        await other.shutdown()
        let touched = try #require(await get(client, Self.webapp, ns, "shop"))["metadata"]?["resourceVersion"]
        try await Task.sleep(for: .seconds(3))
        #expect(client.writeCount == writesBefore, "writes on a no-op reconcile: \(client.requestCounts)")
        let after = await snapshotVersions(client, ns)
        #expect(before == after, "children changed on a no-op reconcile")
        #expect(await get(client, Self.webapp, ns, "shop")?["metadata"]?["resourceVersion"] == touched, "status rewritten on a no-op reconcile")

        // A hand edit is put back; a deleted child is recreated.
        _ = try await deployments.patch("shop", .merge(["spec": ["replicas": 7]]))
        let configMaps = try await client.resource(Self.configMap, namespace: ns)
        _ = try await configMaps.delete("shop-api")
        await poll(until: "hand edit reverted") { await self.get(client, Self.deployment, ns, "shop")?["spec"]?["replicas"] == 2 }
        await poll(until: "deleted child recreated") { await self.get(client, Self.configMap, ns, "shop-api") != nil }

        // Pruning: includeWhen false removes the service; a shorter forEach removes a route.
        _ = try await webapps.patch("shop", .merge(["spec": ["expose": false, "hosts": ["www"]]]))
        await poll(until: "service pruned") { await self.get(client, Self.service, ns, "shop") == nil }
        await poll(until: "route pruned") { await self.get(client, Self.configMap, ns, "shop-api") == nil }

        // An existing object the rule does not own is not taken over: reported on the object instead.
        _ = try await deployments.create([
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "taken"],
            "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "x"]], "template": ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [["name": "c", "image": "busybox"]]]]],
        ])
        _ = try await webapps.create(["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "taken", "labels": ["tier": "web"]], "spec": ["image": "nginx", "replicas": 3]])
        await poll(until: "adoption refused") {
            let c = await self.get(client, Self.webapp, ns, "taken")?["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            return c?["reason"] == "NotOwned"
        }
        #expect(await get(client, Self.deployment, ns, "taken")?["spec"]?["replicas"] == 1)
        // The refusal is retried with backoff; its Warning Events are aggregated, not one per retry.
        try await Task.sleep(for: .seconds(2))
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: ns)
            .list(ListOptions(fieldSelector: "involvedObject.name=taken,reason=NotOwned")).items
        #expect(events.count == 1, "one aggregated Event, not one per retry: \(events.count)")
        #expect((events.first?["count"]?.intValue ?? 0) >= 2, "the repeats are counted on the Event")

        // A write the server rejects (422) becomes a condition on that object only.
        // (a host that is not a valid name part makes the route ConfigMap's name invalid)
        _ = try await webapps.create(["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "bad", "labels": ["tier": "web"]], "spec": ["image": "nginx", "replicas": 1, "expose": true, "hosts": ["Not_Valid"]]])
        await poll(until: "422 reported on the object") {
            let c = await self.get(client, Self.webapp, ns, "bad")?["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            return c?["status"] == "False" && c?["reason"] == "Invalid" && (c?["message"]?.stringValue?.contains("bad-Not_Valid") ?? false)
        }
        #expect(await get(client, Self.webapp, ns, "shop")?["status"]?["phase"] == "Running", "other objects carry on")

        // Deleting the watched object: the garbage collector removes children through ownerReferences.
        _ = try await webapps.delete("shop")
        await poll(until: "children garbage-collected", timeout: .seconds(60)) { await self.get(client, Self.deployment, ns, "shop") == nil }
        running.cancel()
        _ = try? await crds.delete("webapps.example.com")
    }

    func waitForResource(_ client: KubeClient, _ kind: GroupVersionKind, _ ns: String) async throws -> ResourceClient {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do { return try await client.resource(kind, namespace: ns) } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    /// resourceVersions of the rule's children in `ns`.
    func snapshotVersions(_ client: KubeClient, _ ns: String) async -> [String: String] {
        var out: [String: String] = [:]
        for kind in [Self.deployment, Self.service, Self.configMap] {
            guard let list = try? await client.resource(kind, namespace: ns).list(ListOptions(labelSelector: "tend.dev/rule=webapp")) else { continue }
            for item in list.items {
                out["\(kind.kind)/\(item["metadata"]?["name"]?.stringValue ?? "")"] = item["metadata"]?["resourceVersion"]?.stringValue
            }
        }
        return out
    }
}
