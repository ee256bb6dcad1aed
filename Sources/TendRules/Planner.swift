public import Foundation
import TendCEL
import TendMeta
public import TendValue

/// Computes what one reconcile of one watched object should do, from a snapshot of the world.
///
/// Pure and deterministic: the same rule, parent, snapshot and clock give the same plan. It never
/// writes; `tend run` carries plans out, `tend plan` prints them, `tend test` checks them.
///
/// Semantics, in order (an object being deleted gets the cleanup plan instead; a suspended one,
/// an empty plan marked ``ReconcilePlan/suspended``: see ``isSuspended(_:)``):
/// 1. Lookups are read from the snapshot (`null` or an empty list when absent).
/// 2. Children are rendered in dependency order. A child that reads another child which does not
///    exist yet is `waiting` (and an existing copy of it is kept, not pruned). `includeWhen` false
///    leaves the child out, and so is every child that reads a child left out; `forEach` renders one
///    instance per combination of loop values.
/// 3. Each rendered child is compared with the live object: create, update (apply), unchanged, or
///    refused (`notOwned`) when an object of that name exists that Tend does not manage for this
///    parent and the child does not say `adopt: true`.
/// 4. Managed children no longer desired are pruned (deleted, or released with `onDelete: orphan`).
/// 5. Readiness: a child is ready when it exists and all its `readyWhen` hold.
/// 6. Status: at most one phase transition fires per reconcile (the first, in declaration order,
///    whose `from` matches the current phase and whose guard holds); the status write triggers the
///    next reconcile, so chains of transitions advance one observable step at a time. Conditions keep
///    their `lastTransitionTime` unless their status flips. Problems force `Ready=False`.
public struct Planner: Sendable {
    public let rule: Rule
    /// Whether plans carry a ``PlanTrace`` of every expression evaluated (`tend explain`).
    public let trace: Bool

    public init(rule: Rule, trace: Bool = false) {
        self.rule = rule
        self.trace = trace
    }

    public func plan(parent: Value, world: some WorldSnapshot, now: Date) -> ReconcilePlan {
        let key = ObjectKey(of: parent) ?? ObjectKey(name: "")
        var plan = ReconcilePlan(rule: rule.name, parent: ObjectReference(kind: rule.watch.kind, key: key))
        plan.parentUID = parent["metadata"]?["uid"]?.stringValue ?? ""
        var context = Context(rule: rule, parent: parent, world: world, now: now)
        if trace { context.trace = PlanTrace() }
        if parent.isBeingDeleted {
            context.planDeletion(into: &plan)
            plan.trace = context.trace
            return plan
        }
        if Self.isSuspended(parent) {
            // Left alone (Planner+Suspend): deletion above is the only thing a suspension does not stop.
            plan.suspended = true
            plan.trace = context.trace
            return plan
        }
        context.resolveLookups(into: &plan)
        for child in rule.children { context.planChild(child, into: &plan) }
        context.planPrune(into: &plan)
        // A rule with `finalize` holds every watched object until it has finalized it.
        if rule.finalize != nil { plan.needsFinalizer = true }
        context.planStatus(into: &plan)
        context.planParentPatch(into: &plan)
        context.planTimeRequeue(into: &plan)
        plan.trace = context.trace
        return plan
    }
}

/// Per-reconcile state of the planner.
struct Context<World: WorldSnapshot> {
    let rule: Rule
    let parent: Value
    let world: World
    let now: Date
    var variables: [String: Value]
    /// Child ids that are waiting: their existing objects are kept.
    var waiting: Set<String> = []
    /// Child ids left out by `includeWhen` (or because a child they read is): they are pruned.
    var excluded: Set<String> = []
    var desiredKeys: Set<ObjectReference> = []
    /// Managed children no longer desired that are already being deleted (not deleted again).
    var terminating: [Value] = []
    var ready: [String: Bool] = [:]
    /// What was evaluated, when tracing; nil (and never touched) otherwise.
    var trace: PlanTrace?

    init(rule: Rule, parent: Value, world: World, now: Date) {
        self.rule = rule
        self.parent = parent
        self.world = world
        self.now = now
        variables = ["self": parent, "now": .string(RFC3339.formatMilliseconds(now))]
        bindsEach = !rule.lookups.contains { $0.id == "each" } && !rule.allChildren.contains { $0.id == "each" }
    }

    /// Whether `readyWhen` gets `each` (kro's name for the instance): unless an id takes the name.
    let bindsEach: Bool

    /// `scope` with the child's id, and `each`, bound to one live instance, as `readyWhen` reads it.
    func instanceScope(_ scope: [String: Value], _ child: Rule.Child, _ live: Value) -> [String: Value] {
        var scope = scope
        scope[child.id] = live
        if bindsEach { scope["each"] = live }
        return scope
    }

    var parentNamespace: String { parent["metadata"]?["namespace"]?.stringValue ?? "" }
    var parentUID: String { parent["metadata"]?["uid"]?.stringValue ?? "" }
    var parentName: String { parent["metadata"]?["name"]?.stringValue ?? "" }

    /// The label selector that finds this parent's managed children.
    var managedSelector: String {
        var s = "\(Rule.ruleLabel)=\(rule.name)"
        if !parentUID.isEmpty { s += ",\(Rule.ownerUIDLabel)=\(parentUID)" }
        return s
    }

    mutating func resolveLookups(into plan: inout ReconcilePlan) {
        for lookup in rule.lookups {
            if !lookup.includeWhen.isEmpty {
                var included = true
                for condition in lookup.includeWhen {
                    switch Result(catching: { () throws(CELError) -> Bool in try condition.evaluateCondition(variables) }) {
                    case .success(let b): included = included && b
                    case .failure(let error):
                        plan.problems.append(.init(reason: "LookupError", message: "lookup \(lookup.id): includeWhen: \(condition.diagnostic(for: error))"))
                        included = false
                    }
                }
                guard included else {
                    // Left out: children reading it are left out too (Planner+Children.swift).
                    excluded.insert(lookup.id)
                    trace?.excludedLookups.append(lookup.id)
                    variables[lookup.id] = lookup.isList ? .array([]) : .null
                    continue
                }
            }
            var namespace = world.isNamespaced(lookup.kind) == false ? "" : parentNamespace
            if let template = lookup.namespace {
                switch template.evaluateLocated(variables) {
                case .success(.string(let s)): namespace = s
                case .success(let other):
                    plan.problems.append(.init(reason: "LookupError", message: "lookup \(lookup.id): namespace must be a string, got \(other.typeName)"))
                case .failure(let d):
                    plan.problems.append(.init(reason: "LookupError", message: "lookup \(lookup.id): \(d)"))
                }
            }
            if let nameTemplate = lookup.name {
                switch nameTemplate.evaluateLocated(variables) {
                case .success(.string(let name)):
                    variables[lookup.id] = world.object(lookup.kind, namespace: namespace, name: name) ?? .null
                case .success(let other):
                    plan.problems.append(.init(reason: "LookupError", message: "lookup \(lookup.id): name must be a string, got \(other.typeName)"))
                    variables[lookup.id] = .null
                case .failure(let d):
                    plan.problems.append(.init(reason: "LookupError", message: "lookup \(lookup.id): \(d)"))
                    variables[lookup.id] = .null
                }
            } else {
                let ns: String? = world.isNamespaced(lookup.kind) == false ? nil : (lookup.namespace == nil ? parentNamespace : namespace)
                variables[lookup.id] = .array(world.list(lookup.kind, namespace: ns, labelSelector: lookup.selector ?? ""))
            }
        }
    }
}
