public import Foundation
public import TendMeta
import TendOffline
public import TendValue

/// What other rules would do with the objects a plan writes: plans that follow from plans.
///
/// Rules compose through objects: rule A creates an object of a kind rule B watches, and B then
/// reconciles it (kro's chained instances). `tend plan` shows those steps too, so a plan of the top
/// object shows the whole chain. From each plan's created and updated children, every rule whose
/// watch selects the written object is planned for it, against the same snapshot with the written
/// objects laid over it, level by level up to ``maxDepth``. Each plan made this way says what it
/// follows from (``ReconcilePlan/followsFrom``); one without changes is left out.
///
/// A followed object that does not exist yet has no uid: its own children show no ownerReference
/// and nothing can be pruned for it, as for any object the server has not created yet.
public struct ChainFollower: Sendable {
    public var rules: [Rule]
    /// How many levels below the first plans are followed.
    public var maxDepth: Int

    public init(rules: [Rule], maxDepth: Int = 3) {
        self.rules = rules
        self.maxDepth = maxDepth
    }

    /// Plans that follow from `plans`, in level order, then in the order of the writes they follow.
    ///
    /// - Parameters:
    ///   - world: the snapshot each rule plans against (a live engine has one per rule).
    ///   - namespaceLabels: a namespace's labels, for rules that select namespaces by label.
    public func follow(
        _ plans: [ReconcilePlan], world: (Rule) -> any WorldSnapshot, namespaceLabels: (String) -> Value?, now: Date
    ) -> [ReconcilePlan] {
        // One layer of written objects, grown as plans are followed (not rebuilt for each plan).
        var written = InMemoryWorld()
        var followed: [ReconcilePlan] = []
        var frontier = plans
        var seen = Set(plans.map { "\($0.rule) \($0.parent)" })
        for depth in 1...max(1, maxDepth) {
            var next: [ReconcilePlan] = []
            for plan in frontier {
                for child in plan.children where child.action.isWrite {
                    let object = child.live.map { $0.merging(child.desired) } ?? child.desired
                    written.put(object)
                    for rule in rules where rule.watch.kind == child.kind {
                        let ns = child.key.namespace
                        guard rule.watch.matches(object, namespaceLabels: namespaceLabels(ns)), seen.insert("\(rule.name) \(child.reference)").inserted else { continue }
                        let overlay = OverlayWorld(base: world(rule), layer: written)
                        var followedPlan = Planner(rule: rule).plan(parent: object, world: overlay, now: now)
                        followedPlan.followsFrom = .init(rule: plan.rule, object: child.reference, created: child.action == .create, depth: depth)
                        if followedPlan.hasChanges || !followedPlan.problems.isEmpty { next.append(followedPlan) }
                    }
                }
            }
            followed += next
            frontier = next
            if frontier.isEmpty { break }
        }
        return followed
    }
}

extension ReconcilePlan {
    /// Marks a plan of an object another rule's plan writes (``ChainFollower``).
    public struct FollowsFrom: Sendable, Hashable {
        /// The rule whose plan writes the object.
        public var rule: String
        /// The object written, which this plan reconciles.
        public var object: ObjectReference
        /// Whether that write creates it (else it updates it).
        public var created: Bool
        /// 1 for a plan following a first plan, 2 for one following that, and so on.
        public var depth: Int

        /// `follows from rule tenant creating ConfigMap.v1 t/acme-env`.
        public var description: String {
            "follows from rule \(rule) \(created ? "creating" : "updating") \(object)"
        }
    }
}

/// A snapshot with objects a plan would write laid over it: a written object replaces the one of the
/// same kind, namespace and name.
struct OverlayWorld: WorldSnapshot {
    let base: any WorldSnapshot
    let layer: InMemoryWorld

    init(base: any WorldSnapshot, layer: InMemoryWorld) {
        self.base = base
        self.layer = layer
    }

    func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? {
        layer.object(kind, namespace: base.isNamespaced(kind) == false ? "" : namespace, name: name) ?? base.object(kind, namespace: namespace, name: name)
    }

    func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value] {
        let top = layer.list(kind, namespace: namespace, labelSelector: labelSelector)
        let keys = Set(top.compactMap(ObjectKey.init(of:)))
        return top + base.list(kind, namespace: namespace, labelSelector: labelSelector).filter { ObjectKey(of: $0).map { !keys.contains($0) } ?? true }
    }

    func isNamespaced(_ kind: GroupVersionKind) -> Bool? { base.isNamespaced(kind) }
    func holds(_ kind: GroupVersionKind) -> Bool { base.holds(kind) }
    func recordedKinds(ofRule rule: String) -> Set<String> { base.recordedKinds(ofRule: rule).union(layer.recordedKinds(ofRule: rule)) }
}
