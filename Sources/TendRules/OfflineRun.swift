public import Foundation
public import TendMeta
public import TendOffline
public import TendValue

/// Runs rules against an ``OfflineCluster``: the engine's reconcile loop without a cluster.
///
/// `tend plan --state` takes one round of plans; `tend test` reconciles until nothing changes.
public struct OfflineRun: Sendable {
    public var rules: [Rule]
    public var cluster: OfflineCluster
    public var now: Date {
        didSet { cluster.now = now }
    }
    /// Rule coverage, one per rule in `rules` order, when collecting it (`tend test`): every plan
    /// ``converge(maxRounds:)`` makes is then traced and recorded. Nil (the default): plans are
    /// not traced.
    public var coverage: [RuleCoverage]?
    /// The problems of the last round's plans, each with its rule and object (`tend test` shows the
    /// ones that explain a missing object).
    public private(set) var problems: [(rule: String, object: ObjectReference, problem: ReconcilePlan.Problem)] = []

    public init(rules: [Rule], cluster: OfflineCluster, now: Date, collectCoverage: Bool = false) {
        self.rules = rules
        self.cluster = cluster
        self.now = now
        self.cluster.now = now
        // An inventory record in the state (a dump of a cluster Tend runs on) is the rules' record.
        for configMap in self.cluster.world.list(InventoryRecord.kind, namespace: nil, labelSelector: "")
        where configMap["metadata"]?["name"]?.stringValue == InventoryRecord.name {
            for (rule, kinds) in InventoryRecord.parse(configMap) { self.cluster.world.recordedKinds[rule, default: []].formUnion(kinds) }
        }
        // The CRDs the rules declare (`tend crds`), for kinds the state has no CRD of: their defaults
        // apply offline as the API server applies them.
        for rule in rules {
            guard let schema = rule.schema, !self.cluster.defaults.knows(rule.watch.kind) else { continue }
            self.cluster.learn(crd: schema.customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name)))
        }
        if collectCoverage { coverage = rules.map(RuleCoverage.init(rule:)) }
    }

    /// The objects `rule` reconciles in the current state, in key order.
    public func parents(of rule: Rule) -> [Value] {
        cluster.world.list(rule.watch.kind, namespace: nil, labelSelector: "").filter {
            rule.watch.matches($0, namespaceLabels: namespaceLabels($0["metadata"]?["namespace"]?.stringValue ?? ""))
        }
    }

    /// Objects of the rule's watched kind that it no longer selects but still has something of: its
    /// legacy inventory annotation, its finalizer, or children labelled with their uid (of a kind of
    /// its templates or of its inventory record). `tend run` finds
    /// them through the parent cache's events and their children, and releases them
    /// (``Planner/planRelease(parent:world:)``): their children are deleted, the finalizer removed.
    func departed(from rule: Rule) -> [Value] {
        let selected = Set(parents(of: rule).compactMap { $0["metadata"]?["uid"]?.stringValue })
        return cluster.world.list(rule.watch.kind, namespace: nil, labelSelector: "").filter { object in
            guard let uid = object["metadata"]?["uid"]?.stringValue, !selected.contains(uid) else { return false }
            if rule.hasFinalizer(object) || !rule.inventoryKinds(of: object).isEmpty { return true }
            let selector = "\(Rule.ruleLabel)=\(rule.name),\(Rule.ownerUIDLabel)=\(uid)"
            let kinds = rule.children.compactMap(\.kind) + cluster.world.recordedKinds(ofRule: rule.name).sorted().compactMap(InventoryRecord.gvk)
            return kinds.contains { !cluster.world.list($0, namespace: nil, labelSelector: selector).isEmpty }
        }
    }

    /// The labels of the namespace `name`, when the state has it.
    func namespaceLabels(_ name: String) -> Value? {
        cluster.get(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!, namespace: "", name: name)?["metadata"]?["labels"]
    }

    /// One plan per rule and watched object, without carrying any out; then, when `followingChains`,
    /// the plans that follow from them: what rules watching the objects these plans write would do
    /// (``ChainFollower``).
    public func plans(followingChains: Bool = false) -> [ReconcilePlan] {
        let first = rules.flatMap { rule in
            parents(of: rule).map { Planner(rule: rule).plan(parent: $0, world: cluster.world, now: now) }
        }
        guard followingChains else { return first }
        let world = cluster.world
        return first + ChainFollower(rules: rules).follow(first, world: { _ in world }, namespaceLabels: namespaceLabels, now: now)
    }

    /// Reconciles every rule and object, carrying plans out, until a round makes no write (or
    /// `maxRounds` is reached). Returns the number of rounds that wrote something.
    @discardableResult
    public mutating func converge(maxRounds: Int = 10) -> Int {
        var rounds = 0
        while rounds < maxRounds {
            var writes = 0
            problems = []
            for (index, rule) in rules.enumerated() {
                let planner = Planner(rule: rule, trace: coverage != nil)
                for parent in parents(of: rule) {
                    // Re-read: an earlier plan in this round may have changed the parent.
                    guard let key = ObjectKey(of: parent),
                        let current = cluster.get(rule.watch.kind, namespace: key.namespace, name: key.name)
                    else { continue }
                    let plan = planner.plan(parent: current, world: cluster.world, now: now)
                    coverage?[index].record(plan, parent: current)
                    problems += plan.problems.filter { $0.reason != "Waiting" }.map { (rule.name, plan.parent, $0) }
                    writes += cluster.apply(plan)
                }
                // Objects that left the rule's scope are released, as `tend run` releases them.
                for departed in departed(from: rule) {
                    let plan = departed.isBeingDeleted ? planner.plan(parent: departed, world: cluster.world, now: now) : planner.planRelease(parent: departed, world: cluster.world)
                    writes += cluster.apply(plan)
                }
            }
            if writes == 0 { break }
            rounds += 1
        }
        return rounds
    }
}
