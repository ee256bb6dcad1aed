import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// `tend plan` against the live cluster: it shows what `tend run` then does, and writes nothing.
/// (Part of the serialized engine suite: both install and remove the WebApp CRD.)
extension EngineClusterTests {

    /// resourceVersions of every object in `ns` of the given kinds, plus the watched objects.
    func versions(_ client: KubeClient, _ ns: String) async -> [String: String] {
        var out: [String: String] = [:]
        for kind in [EngineClusterTests.deployment, EngineClusterTests.service, EngineClusterTests.configMap, EngineClusterTests.webapp] {
            guard let list = try? await client.resource(kind, namespace: ns).list() else { continue }
            for item in list.items { out["\(kind.kind)/\(item["metadata"]?["name"]?.stringValue ?? "")"] = item["metadata"]?["resourceVersion"]?.stringValue }
        }
        return out
    }

    @Test(.exclusive(on: "webapps.example.com"), .awaitsCleanup) func planMatchesWhatRunDoesAndWritesNothing() async throws {
        let rule = try EngineClusterTests.rule()
        let f = try await EngineFixture(prefix: "plan")
        let (client, ns) = (f.client, f.namespace)
        try await f.installCRD(rule)
        // Discovery may list the kind a moment before the API server serves it: retry the create.
        var webapps: ResourceClient?
        await poll(until: "WebApp served and created") {
            guard let r = try? await client.resource(EngineClusterTests.webapp, namespace: ns) else { return false }
            webapps = r
            let site: Value = [
                "apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "site", "labels": ["tier": "web"]],
                "spec": ["image": "nginx:1.27", "replicas": 2, "expose": true, "hosts": ["www"]],
            ]
            do { _ = try await r.create(site) } catch let error as KubeError { return error.isAlreadyExists } catch { return false }
            return true
        }

        // 1. Plan before anything exists: creates, and not a single write on the server.
        let before = await versions(client, ns)
        let plans = await f.plan([rule])
        let plan = try #require(plans.first { $0.parent.key.name == "site" })
        #expect(plan.children.filter { $0.action == .create }.map(\.reference.description).sorted() == ["Deployment.v1.apps \(ns)/site", "Service.v1 \(ns)/site"])
        #expect(plan.problems.allSatisfy { $0.reason == "Waiting" }, "\(plan.problems)")
        #expect(await versions(client, ns) == before, "plan wrote to the cluster")

        // 2. Run: it does what the plan said (and more as dependencies appear).
        let (_, running) = f.start([rule])
        await poll(until: "children") {
            (try? await client.resource(EngineClusterTests.configMap, namespace: ns).get("site-www")) != nil
        }
        for child in plan.children where child.action == .create {
            #expect((try? await client.resource(child.kind, namespace: ns).get(child.key.name)) != nil, "\(child.reference) was planned but not created")
        }
        running.cancel()
        try await Task.sleep(for: .seconds(1))

        // 3. Converged: the plan is empty, even though the server added defaults to every child.
        let converged = await f.plan([rule])
        #expect(converged.allSatisfy { !$0.hasChanges }, "\(converged.flatMap(\.children).filter { $0.action.isWrite }.map(\.reference))")

        // 4. A spec change plans exactly one update, with the changed field, and still writes nothing.
        _ = try await #require(webapps).patch("site", .merge(["spec": ["replicas": 3]]))
        let snapshot = await versions(client, ns)
        let changed = try #require(await f.plan([rule]).first)
        let updates = changed.children.filter { $0.action == .update }
        #expect(updates.map(\.reference.description) == ["Deployment.v1.apps \(ns)/site"])
        #expect(updates.first?.desired["spec"]?["replicas"] == 3)
        #expect(changed.statusChanged)  // observedGeneration moves
        #expect(await versions(client, ns) == snapshot, "plan wrote to the cluster")
    }
}
