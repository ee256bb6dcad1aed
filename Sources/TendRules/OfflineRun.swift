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

    public init(rules: [Rule], cluster: OfflineCluster, now: Date) {
        self.rules = rules
        self.cluster = cluster
        self.now = now
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
            for rule in rules {
                for parent in parents(of: rule) {
                    // Re-read: an earlier plan in this round may have changed the parent.
                    guard let key = ObjectKey(of: parent),
                        let current = cluster.get(rule.watch.kind, namespace: key.namespace, name: key.name)
                    else { continue }
                    writes += cluster.apply(Planner(rule: rule).plan(parent: current, world: cluster.world, now: now))
                }
            }
            if writes == 0 { break }
            rounds += 1
        }
        return rounds
    }
}
