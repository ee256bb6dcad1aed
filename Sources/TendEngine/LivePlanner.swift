import Foundation
public import Logging
import TendKube
import TendMeta
import TendOffline
public import TendRules
import TendRuntime
import TendValue

extension Engine {
    /// Plans every watched object of every rule against the live cluster, writing nothing.
    ///
    /// Runs the same informers and the same ``Planner`` as ``run()``, then refines each planned
    /// write with a server-side dry run (`dryRun=All`): the server applies its defaults and admission,
    /// so a field the server normalises is not shown as a change, and a write the server would reject
    /// shows as a problem. The only requests are list, watch and get, and dry-run applies.
    ///
    /// A rule is not planned, and is one of the result's ``LivePlan/failures``, when its informers
    /// cannot be set up (discovery fails, a kind it watches or looks up is not served) or have not
    /// all listed `syncTimeout` after the call began (listing forbidden, say: the reflector would
    /// retry forever).
    ///
    /// - Returns: the plans, one per rule and watched object, in rule order then key order, and the
    ///   rules that could not be planned.
    public func planAll(syncTimeout: Duration = .seconds(60)) async -> LivePlan {
        let informers = Task { await factory.run() }
        defer { informers.cancel() }
        let deadline = ContinuousClock.now + syncTimeout
        var result = LivePlan(plans: [], failures: [])
        await inventory.load()
        for controller in controllers {
            let rule = controller.rule.name
            do {
                try await controller.setUpOnce()
            } catch {
                logger.info("cannot plan rule", metadata: ["rule": "\(rule)", "error": "\(error)"])
                result.failures.append(SyncDeadline.setUp(rule: rule, error))
                continue
            }
            let unsynced = await SyncDeadline.wait(for: factory, until: deadline)
            guard unsynced.isEmpty else {
                result.failures.append(SyncDeadline.timeout(rule: rule, after: syncTimeout, unsynced: unsynced))
                continue
            }
            result.plans += await controller.planAll()
        }
        // What rules watching the objects these plans write would do with them (ChainFollower),
        // each against its own rule's cache.
        let started: [RuleController] = controllers.filter(\.isStarted)
        func world(_ rule: Rule) -> any WorldSnapshot {
            started.first { $0.rule.name == rule.name }?.world() ?? InMemoryWorld()
        }
        func namespaceLabels(_ namespace: String) -> Value? {
            for controller in started { if let labels = controller.namespaceLabels(namespace) { return labels } }
            return nil
        }
        result.plans += ChainFollower(rules: started.map(\.rule)).follow(result.plans, world: world, namespaceLabels: namespaceLabels, now: Date())
        return result
    }
}

extension RuleController {
    /// Sets up informers once, without waiting for a kind that is not served.
    func setUpOnce() async throws { try await setUpForPlanning() }

    /// Plans every selected watched object, refining writes with server-side dry runs.
    func planAll() async -> [ReconcilePlan] {
        var plans: [ReconcilePlan] = []
        for key in parentKeys().sorted() {
            guard let parent = parent(key) else { continue }
            plans.append(await plan(parent: parent, now: Date(), trace: false))
        }
        return plans
    }

    /// Plans one watched object from the cache's world, then refines each planned write with a
    /// server-side dry run: an unmanaged object the cache cannot see makes a create `notOwned`, and
    /// an update that only differs in server defaults becomes `unchanged`.
    func plan(parent: Value, now: Date, trace: Bool) async -> ReconcilePlan {
        var dryRun = executor
        dryRun.dryRun = true
        var plan = Planner(rule: rule, trace: trace).plan(parent: parent, world: world(), now: now)
        if !plan.uncachedKinds.isEmpty, await holdKinds(plan.uncachedKinds) {
            plan = Planner(rule: rule, trace: trace).plan(parent: parent, world: world(), now: now)
        }
        for i in plan.children.indices where plan.children[i].action.isWrite {
            let child = plan.children[i]
            do {
                let resource = try await client.resource(child.kind, namespace: child.key.namespace.isEmpty ? nil : child.key.namespace)
                if child.action == .create, let existing = try? await resource.get(child.key.name),
                    !executor.isManaged(existing, rule: rule, plan: plan), rule.allChildren.first(where: { $0.id == child.id })?.adopt != true
                {
                    plan.children[i].action = .notOwned
                    plan.children[i].live = existing
                    plan.problems.append(.init(reason: "NotOwned", message: "\(child.reference) exists and is not managed by rule \(rule.name) for this object", child: child.id))
                    continue
                }
                if child.drift != nil, let live = try? await resource.get(child.key.name) {
                    // The cache drops managedFields: read the other writers from the server, as the
                    // offline plan reads them from its state.
                    plan.children[i].drift = Drift.analyze(desired: child.desired, live: live, excluding: rule.ownManagers) ?? child.drift
                }
                let result = try await resource.apply(child.desired, options: ApplyOptions(fieldManager: rule.fieldManager, force: true, dryRun: true))
                if child.action == .update, let live = child.live,
                    PlanRenderer.projection(of: live, onto: child.desired) == PlanRenderer.projection(of: result, onto: child.desired),
                    live["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation] == child.desired["metadata"]?["annotations"]?[ObjectMatch.appliedHashAnnotation]
                {
                    plan.children[i].action = .unchanged  // only server defaults differed
                }
            } catch {
                plan.problems.append(.init(reason: executor.reason(for: error, default: "ApplyFailed"), message: "dry-run apply \(child.reference): \(executor.summary(error))", child: child.id))
            }
        }
        return plan
    }
}
