import Foundation
import Logging
import Testing
@testable import TendEngine
import TendKube
import TendMeta
import TendOffline
import TendRules
import TendTesting
import TendValue

/// A reconcile planned from a cache that still holds a parent just deleted must not bring the
/// parent back: server-side apply creates what does not exist, so the parent's own writes carry
/// its uid as a precondition.
@Suite(.enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(1)), .awaitsCleanup)
struct ParentResurrectionClusterTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: ghost}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {ghost-test: "yes"}}}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}", namespace: "${self.metadata.namespace}-other"}}
        """

    @Test func writesPlannedForADeletedParentDoNotRecreateIt() async throws {
        let f = try await EngineFixture(prefix: "ghost")
        let (client, ns) = (f.client, f.namespace)
        try await f.createNamespace(ns + "-other")
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        let parent = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["ghost-test": "yes"]]])
        let rule = try EngineFixture.rule(Self.rule, file: "ghost.yaml")
        // Planned while the parent exists: the child is in another namespace, so the plan adds
        // Tend's finalizer (and the inventory) to the parent.
        let plan = Planner(rule: rule).plan(parent: parent, world: InMemoryWorld(objects: [parent]), now: Date())
        #expect(plan.parentPatch != nil)
        _ = try await configMaps.delete("p")
        var logger = Logger(label: "ghost")
        logger.logLevel = .critical
        let outcome = await PlanExecutor(client: client, logger: logger).execute(plan, rule: rule)
        #expect(!outcome.parentPatched)
        #expect((try? await configMaps.get("p")) == nil, "the deleted parent was created again")
        #expect(outcome.created.isEmpty, "a child needing the finalizer of a parent that is gone would leak")
        let elsewhere = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns + "-other")
        #expect((try? await elsewhere.get("p")) == nil)
    }
}
