import Foundation
import Logging
import Testing
import TendEngine
import TendKube
import TendMeta
import TendRules
import TendTesting
import TendValue

/// Rules that meet, against the real control plane: two rules on one object, rules chained through
/// each other's objects, children that read the object's own status, chains of timed phases,
/// a template removed, and objects written by Tend's former single field manager. The rules are the
/// ones in `examples/meet`, whose offline tests (`tend test examples/meet`) say the same.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(4)), .awaitsCleanup)
struct RulesMeetClusterTests {
    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let configMap = GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!
    static let secret = GroupVersionKind(apiVersion: "v1", kind: "Secret")!
    static let service = GroupVersionKind(apiVersion: "v1", kind: "Service")!
    static let quota = GroupVersionKind(apiVersion: "v1", kind: "ResourceQuota")!
    static let limits = GroupVersionKind(apiVersion: "v1", kind: "LimitRange")!

    /// The rules of one file of `examples/meet`.
    static func rules(_ file: String) throws -> [Rule] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loaded = RuleLoader().load(paths: [root.appendingPathComponent("examples/meet/\(file)").path])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return loaded.rules
    }

    static func rule(_ text: String) throws -> Rule { try EngineFixture.rule(text) }

    /// Samples `read` every 500 ms for `duration` and returns the distinct values seen.
    static func distinctValues(for duration: Duration, _ read: () async -> String?) async -> Set<String> {
        var seen = Set<String>()
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            seen.insert(await read() ?? "<absent>")
            try? await Task.sleep(for: .milliseconds(500))
        }
        return seen
    }

    @Test func twoRulesOnOneNamespaceBothHoldAndLeaveItAlone() async throws {
        let f = try await EngineFixture(prefix: "meet-ns", labels: ["example.com/tier": "team"])
        _ = f.start(try Self.rules("namespaces.yaml"), options: EngineOptions(), logLevel: .error)
        let ns = f.namespace
        let namespaces = try await f.client.resource(Self.namespaceKind)
        func namespace() async -> Value? { try? await namespaces.get(ns) }
        await poll(until: "quota, limits and label") {
            let n = await namespace()
            let quota = await f.get(Self.quota, "team-quota"), limits = await f.get(Self.limits, "team-limits")
            return quota != nil && limits != nil
                && n?["metadata"]?["labels"]?["example.com/cost-center"] == .string(ns + "-cc")
        }
        // Converged: neither rule's apply releases the other's field, so nothing writes the namespace again.
        let versions = await Self.distinctValues(for: .seconds(10)) { await namespace()?["metadata"]?["resourceVersion"]?.stringValue }
        #expect(versions.count == 1, "the namespace kept being written: \(versions.count) versions in 10 s")
        let n = try #require(await namespace())
        #expect(n["metadata"]?["labels"]?["example.com/cost-center"] == .string(ns + "-cc"))
        let managers = Set((n["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue })
        // team-billing owns its label; team-quota sets nothing on the namespace (its inventory of
        // child kinds is the rule's record, not an annotation here).
        #expect(managers.contains("tend/team-billing") && !managers.contains("tend/team-quota"), "each rule owns what it set: \(managers)")
        #expect(n["metadata"]?["annotations"]?["inventory.tend.dev/team-quota"] == nil)
    }

    @Test func chainedRulesConvergeAndDeletingTheTopCleansUp() async throws {
        let f = try await EngineFixture(prefix: "meet-chain")
        let rules = try Self.rules("chain.yaml")
        let configMaps = try await f.resource(Self.configMap)
        _ = try await configMaps.create([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "acme", "labels": ["example.com/kind": "tenant"]], "data": ["tier": "gold"],
        ])
        // The live plan shows the whole chain before anything runs.
        let plans = await f.plan(rules)
        let followed = plans.compactMap { p in p.followsFrom.map { "\(p.rule) <- \($0.rule) \($0.depth)" } }
        #expect(followed == ["environment <- tenant 1", "app <- environment 2"], "\(followed)")
        #expect(plans.last?.children.map(\.key.name) == ["acme-env-app-settings"])

        _ = f.start(rules, logLevel: .error)
        await poll(until: "the bottom of the chain") { await f.get(Self.configMap, "acme-env-app-settings")?["data"]?["replicas"] == "3" }
        let environment = try #require(await f.get(Self.configMap, "acme-env"))
        #expect(environment["data"] == ["tenant": "acme", "tier": "gold"], "the tenant rule's fields survive the environment rule's apply")
        #expect(environment["metadata"]?["annotations"]?["example.com/app"] == "acme-env-app")
        #expect(environment["metadata"]?["annotations"]?["inventory.tend.dev/environment"] == nil, "no inventory on the watched object")
        let versions = await Self.distinctValues(for: .seconds(5)) { await f.get(Self.configMap, "acme-env")?["metadata"]?["resourceVersion"]?.stringValue }
        #expect(versions.count == 1, "the environment kept being written: \(versions)")

        _ = try await configMaps.patch("acme", .merge(["data": ["tier": "silver"]]))
        await poll(until: "the change reaches the bottom") { await f.get(Self.configMap, "acme-env-app-settings")?["data"]?["replicas"] == "1" }

        _ = try await configMaps.delete("acme")
        await poll(until: "the chain is gone") {
            var left = 0
            for name in ["acme-env", "acme-env-app", "acme-env-app-settings"] where await f.get(Self.configMap, name) != nil { left += 1 }
            return left == 0
        }
    }

    // The differential tests install and remove these CRDs too (DifferentialClusterTests).
    @Test(.exclusive(on: "bluegreens.example.com")) func aStatusDrivenChildFollowsASwitchWithNoOutsideEvent() async throws {
        let rule = try #require(try Self.rules("blue-green.yaml").first)
        let f = try await EngineFixture(prefix: "meet-bg")
        try await f.installCRD(rule)
        let kind = rule.watch.kind
        let objects = try await f.resource(kind)
        _ = f.start([rule], logLevel: .error)
        _ = try await objects.create(["apiVersion": "example.com/v1", "kind": "BlueGreen", "metadata": ["name": "shop"], "spec": ["target": "blue"]])
        await poll(until: "blue") { await f.get(Self.service, "shop")?["spec"]?["selector"]?["color"] == "blue" }

        _ = try await objects.patch("shop", .merge(["spec": ["target": "green"]]))
        await poll(until: "the Service follows the status to green") { await f.get(Self.service, "shop")?["spec"]?["selector"]?["color"] == "green" }
        let object = try #require(await f.get(kind, "shop"))
        #expect(object["status"]?["phase"] == "Green")
        #expect(object["status"]?["activeColor"] == "green")
        let history = (object["status"]?["phaseHistory"]?.arrayValue ?? []).compactMap { $0["to"]?.stringValue }
        #expect(history == ["Switching", "Green"], "each transition once: \(history)")

        // Converged: a reconcile of an unchanged world writes nothing, status writes included.
        let versions = await Self.distinctValues(for: .seconds(30)) {
            let o = await f.get(kind, "shop")?["metadata"]?["resourceVersion"]?.stringValue ?? ""
            let s = await f.get(Self.service, "shop")?["metadata"]?["resourceVersion"]?.stringValue ?? ""
            return o + "/" + s
        }
        #expect(versions.count == 1, "writes after convergence: \(versions)")
    }

    @Test(.exclusive(on: "ladders.example.com")) func aChainOfTimedPhasesAdvancesInAboutTheSumOfItsDurations() async throws {
        let rule = try #require(try Self.rules("ladder.yaml").first)
        let f = try await EngineFixture(prefix: "meet-ladder")
        try await f.installCRD(rule)
        let objects = try await f.resource(rule.watch.kind)
        _ = f.start([rule], logLevel: .error)
        _ = try await objects.create(["apiVersion": "example.com/v1", "kind": "Ladder", "metadata": ["name": "l"], "spec": .emptyObject])
        let started = ContinuousClock.now
        await poll(until: "the board shows the last phase", timeout: .seconds(30)) { await f.get(Self.configMap, "l-board")?["data"]?["phase"] == "Four" }
        let took = ContinuousClock.now - started
        #expect(took >= .seconds(9), "three 3 s steps fired after \(took)")
        #expect(took < .seconds(15), "three 3 s steps took \(took)")
        let history = (await f.get(rule.watch.kind, "l")?["status"]?["phaseHistory"]?.arrayValue ?? []).compactMap { $0["to"]?.stringValue }
        #expect(history == ["Two", "Three", "Four"])
    }

    /// Two rules that set one label of the same object (which `tend check` rejects; compiled one by
    /// one here): each sees the other's change as drift, and after a few turns both back off, with a
    /// Warning Event that names the other rule, instead of writing the object as fast as they can.
    @Test func twoRulesSettingOneFieldBackOffAndSaySo() async throws {
        let f = try await EngineFixture(prefix: "meet-fight")
        func rule(_ name: String) throws -> Rule {
            try Self.rule("""
                apiVersion: tend.dev/v1alpha1
                kind: Rule
                metadata: {name: \(name)}
                spec:
                  watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {example.com/fight: "yes"}}}
                  patch:
                    metadata:
                      labels: {example.com/owner: \(name)}
                """)
        }
        let configMaps = try await f.resource(Self.configMap)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "contested", "labels": ["example.com/fight": "yes"]]])
        _ = f.start([try rule("fight-a"), try rule("fight-b")], logLevel: .error)
        let events = try await f.client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: f.namespace)
        func contestEvents() async -> [String] {
            ((try? await events.list())?.items ?? []).filter { $0["reason"] == "FieldsContested" }.compactMap { $0["message"]?.stringValue }
        }
        await poll(until: "a FieldsContested Event") { await !contestEvents().isEmpty }
        let message = try #require(await contestEvents().first)
        #expect(message.contains(#"metadata.labels["example.com/owner"]"#), "\(message)")
        #expect(message.hasPrefix("rule fight-a: ") && message.contains("also changed by rule fight-b") || message.hasPrefix("rule fight-b: ") && message.contains("also changed by rule fight-a"),
                "both rules are named: \(message)")
        // Backing off: a handful of writes in 10 s, where two rules taking turns at full speed make hundreds.
        let versions = await Self.distinctValues(for: .seconds(10)) {
            (try? await configMaps.get("contested"))?["metadata"]?["resourceVersion"]?.stringValue
        }
        #expect(versions.count <= 12, "\(versions.count) versions in 10 s")
    }

    /// One rule patches a container's image of a Deployment (Kyverno's mutate-existing); another
    /// gives every Deployment a PodDisruptionBudget (and writes nothing on the Deployment: its
    /// inventory is the rule's record). The first rule's patch stays as it was.
    @Test func aRuleAddingChildrenLeavesAnotherRulesPatchAlone() async throws {
        let f = try await EngineFixture(prefix: "meet-deploy")
        let deployment = GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!
        let pdb = GroupVersionKind(apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget")!
        let pin = try Self.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: pin-sidecar}
            spec:
              watch: {apiVersion: apps/v1, kind: Deployment, selector: {matchLabels: {example.com/meet: "yes"}}}
              patch:
                spec:
                  template:
                    spec:
                      containers: [{name: sidecar, image: "proxy:2.0"}]
            """)
        let budget = try Self.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: budget}
            spec:
              watch: {apiVersion: apps/v1, kind: Deployment, selector: {matchLabels: {example.com/meet: "yes"}}}
              children:
                - id: pdb
                  template:
                    apiVersion: policy/v1beta1
                    kind: PodDisruptionBudget
                    metadata: {name: "${self.metadata.name}"}
                    spec: {minAvailable: 1, selector: {matchLabels: {app: "${self.metadata.name}"}}}
            """)
        let deployments = try await f.resource(deployment)
        _ = try await deployments.create([
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "labels": ["example.com/meet": "yes"]],
            "spec": [
                "selector": ["matchLabels": ["app": "web"]],
                "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [
                    ["name": "app", "image": "web:1.0"], ["name": "sidecar", "image": "proxy:1.0"],
                ]]],
            ],
        ])
        _ = f.start([pin, budget], logLevel: .error)
        func images() async -> [String] {
            (await f.get(deployment, "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        }
        await poll(until: "sidecar pinned and budget created") {
            let pinned = await images() == ["web:1.0", "proxy:2.0"]
            let created = await f.get(pdb, "web") != nil
            return pinned && created
        }
        let versions = await Self.distinctValues(for: .seconds(5)) { await f.get(deployment, "web")?["metadata"]?["resourceVersion"]?.stringValue }
        #expect(versions.count == 1, "the Deployment kept being written: \(versions)")
        #expect(await images() == ["web:1.0", "proxy:2.0"], "both containers, the patched image kept")
        #expect(await f.get(deployment, "web")?["metadata"]?["annotations"]?["inventory.tend.dev/budget"] == nil)
        #expect(await f.get(Self.configMap, "tend-inventory")?["data"]?["budget.PodDisruptionBudget.v1beta1.policy"] == "policy/v1beta1/PodDisruptionBudget")
    }

    /// `tend plan` against a cluster names the other writer of a drifted field, as the offline plan
    /// does from its state (the cache has no managedFields; the plan reads them from the server).
    @Test func aLivePlanNamesTheOtherWriterOfADriftedField() async throws {
        let f = try await EngineFixture(prefix: "meet-drift")
        let rule = try Self.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: drift}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {example.com/drift: "yes"}}}
              children:
                - id: config
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-config"}, data: {greeting: hello}}
            """)
        let configMaps = try await f.resource(Self.configMap)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["example.com/drift": "yes"]]])
        await f.run([rule], until: "child") { await f.get(Self.configMap, "p-config") != nil }
        _ = try await configMaps.patch("p-config", .merge(["data": ["greeting": "hi"]]), options: WriteOptions(fieldManager: "kubectl-patch"))
        let plans = await f.plan([rule])
        let drift = try #require(plans.first?.children.first?.drift)
        #expect(drift.summary == "data.greeting (changed by kubectl-patch/Update)")
    }

    static func fanOut(includeSecret: Bool) -> String {
        let secret = """
                - id: token
                  template: {apiVersion: v1, kind: Secret, metadata: {name: "${self.metadata.name}-token"}, stringData: {token: abc}}
            """
        return """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: fan-out}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {example.com/fan-out: "yes"}}}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {a: b}}
            \(includeSecret ? secret : "")
            """
    }

    @Test func removingTheOnlyTemplateOfAKindDeletesItsChildren() async throws {
        let f = try await EngineFixture(prefix: "meet-prune")
        let configMaps = try await f.resource(Self.configMap)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["example.com/fan-out": "yes"]]])
        await f.run([try Self.rule(Self.fanOut(includeSecret: true))], until: "both children") {
            let token = await f.get(Self.secret, "p-token"), copy = await f.get(Self.configMap, "p-copy")
            return token != nil && copy != nil
        }
        // The kinds are the rule's, in its inventory record; nothing is written on the parent.
        let record = try #require(await f.get(Self.configMap, "tend-inventory"))
        #expect(record["data"] == ["fan-out.ConfigMap.v1": "v1/ConfigMap", "fan-out.Secret.v1": "v1/Secret"], "\(record)")
        #expect(await f.get(Self.configMap, "p")?["metadata"]?["annotations"]?["inventory.tend.dev/fan-out"] == nil)
        let smaller = try Self.rule(Self.fanOut(includeSecret: false))
        // A new process with the template removed. The live plan shows the delete first: the kind is
        // only in the record, not in any template.
        let plans = await f.plan([smaller])
        let plan = try #require(plans.first { $0.parent.key.name == "p" })
        #expect(plan.prune.map(\.reference.description).contains { $0.contains("Secret") && $0.contains("p-token") }, "\(plan.prune.map(\.reference))")

        _ = f.start([smaller], logLevel: .error)
        await poll(until: "the Secret is deleted") { await f.get(Self.secret, "p-token") == nil }
        #expect(await f.get(Self.configMap, "p-copy") != nil)
        // A new parent after the removal gets only the copy; the record keeps the kind it once had.
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "q", "labels": ["example.com/fan-out": "yes"]]])
        await poll(until: "q's copy") { await f.get(Self.configMap, "q-copy") != nil }
        #expect(await f.get(Self.secret, "q-token") == nil)
        #expect(await f.get(Self.configMap, "tend-inventory")?["data"]?["fan-out.Secret.v1"] == "v1/Secret")
    }

    /// What Tend wrote before per-rule ownership: everything as the manager `tend`, with the shared
    /// inventory annotation and finalizer. The new engine takes it over: nothing is left to `tend`,
    /// and what the rule no longer sets is released.
    @Test func objectsWrittenByTheFormerSingleManagerAreTakenOverCleanly() async throws {
        let f = try await EngineFixture(prefix: "meet-upgrade")
        let rule = try Self.rule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: upgrade}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {example.com/upgrade: "yes"}}}
              patch:
                metadata:
                  labels: {example.com/seen: "yes"}
              children:
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {a: b}}
            """)
        let configMaps = try await f.resource(Self.configMap)
        let parent = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "labels": ["example.com/upgrade": "yes"]]])
        let uid = try #require(parent["metadata"]?["uid"])
        // The former engine's writes, as the manager `tend`: the parent's patch, inventory and
        // finalizer, and a child with a key the current template no longer sets.
        _ = try await configMaps.apply([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "p", "namespace": .string(f.namespace), "labels": ["example.com/seen": "yes"],
                "annotations": ["tend.dev/inventory": "v1/ConfigMap"], "finalizers": ["tend.dev/cleanup"],
            ],
        ], options: ApplyOptions(fieldManager: "tend", force: true))
        _ = try await configMaps.apply([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "p-copy", "namespace": .string(f.namespace),
                "labels": ["tend.dev/rule": "upgrade", "tend.dev/owner-uid": uid],
                "annotations": ["tend.dev/child": "copy", "tend.dev/applied-hash": "0000000000000000"],
                "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "p", "uid": uid, "controller": true, "blockOwnerDeletion": true]],
            ],
            "data": ["a": "b", "stale": "from an older template"],
        ], options: ApplyOptions(fieldManager: "tend", force: true))

        _ = f.start([rule], logLevel: .error)
        // Apply entries only: the test's own client, whose user agent is `tend`, created the objects
        // (an Update entry of `tend`, which is not Tend's and stays).
        func managers(_ name: String) async -> [String] {
            (await f.get(Self.configMap, name)?["metadata"]?["managedFields"]?.arrayValue ?? []).filter { $0["operation"] == "Apply" }.compactMap { $0["manager"]?.stringValue }
        }
        await poll(until: "child taken over") {
            let m = await managers("p-copy")
            return !m.contains("tend") && m.contains("tend/upgrade")
        }
        await poll(until: "parent taken over") {
            let m = await managers("p")
            return !m.contains("tend") && m.contains("tend/upgrade")
        }
        await poll(until: "legacy bookkeeping released") {
            let p = await f.get(Self.configMap, "p")
            return p?["metadata"]?["annotations"]?["tend.dev/inventory"] == nil && p?["metadata"]?["finalizers"] == nil
        }
        let child = try #require(await f.get(Self.configMap, "p-copy"))
        #expect(child["data"] == ["a": "b"], "a key only the former manager owned is released")
        let p = try #require(await f.get(Self.configMap, "p"))
        #expect(p["metadata"]?["labels"]?["example.com/seen"] == "yes")
        // The legacy inventory's kind went into the rule's record before the parent's write dropped it.
        #expect(p["metadata"]?["annotations"]?["inventory.tend.dev/upgrade"] == nil)
        #expect(await f.get(Self.configMap, "tend-inventory")?["data"]?["upgrade.ConfigMap.v1"] == "v1/ConfigMap")
    }
}
