public import Foundation
import TendKube
public import TendValue

/// Runs rules against an ``OfflineCluster``: the engine's reconcile loop without a cluster.
///
/// `tend plan --state` takes one round of plans; `tend test` reconciles until nothing changes.
public struct OfflineRun: Sendable {
    public var rules: [Rule]
    public var cluster: OfflineCluster
    public var now: Date
    /// Rule coverage, one per rule in `rules` order, when collecting it (`tend test`): every plan
    /// ``converge(maxRounds:)`` makes is then traced and recorded. Nil (the default): plans are
    /// not traced.
    public var coverage: [RuleCoverage]?

    public init(rules: [Rule], cluster: OfflineCluster, now: Date, collectCoverage: Bool = false) {
        self.rules = rules
        self.cluster = cluster
        self.now = now
        if collectCoverage { coverage = rules.map(RuleCoverage.init(rule:)) }
    }

    /// The objects `rule` reconciles in the current state, in key order.
    public func parents(of rule: Rule) -> [Value] {
        let namespaces = cluster.world.list(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!, namespace: nil, labelSelector: "")
        func labels(of namespace: String) -> Value? {
            namespaces.first { $0["metadata"]?["name"]?.stringValue == namespace }?["metadata"]?["labels"]
        }
        return cluster.world.list(rule.watch.kind, namespace: nil, labelSelector: "").filter {
            rule.watch.matches($0, namespaceLabels: labels(of: $0["metadata"]?["namespace"]?.stringValue ?? ""))
        }
    }

    /// One plan per rule and watched object, without carrying any out.
    public func plans() -> [ReconcilePlan] {
        rules.flatMap { rule in
            parents(of: rule).map { Planner(rule: rule).plan(parent: $0, world: cluster.world, now: now) }
        }
    }

    /// Reconciles every rule and object, carrying plans out, until a round makes no write (or
    /// `maxRounds` is reached). Returns the number of rounds that wrote something.
    @discardableResult
    public mutating func converge(maxRounds: Int = 10) -> Int {
        var rounds = 0
        while rounds < maxRounds {
            var writes = 0
            for (index, rule) in rules.enumerated() {
                let planner = Planner(rule: rule, trace: coverage != nil)
                for parent in parents(of: rule) {
                    // Re-read: an earlier plan in this round may have changed the parent.
                    guard let key = ObjectKey(of: parent),
                        let current = cluster.get(rule.watch.kind, namespace: key.namespace, name: key.name)
                    else { continue }
                    let plan = planner.plan(parent: current, world: cluster.world, now: now)
                    coverage?[index].record(plan, parent: current)
                    writes += cluster.apply(plan)
                }
            }
            if writes == 0 { break }
            rounds += 1
        }
        return rounds
    }
}
