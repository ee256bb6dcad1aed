public import TendMeta
public import TendOffline
public import TendValue

/// What one reconcile of one watched object should do: the output of ``Planner``.
///
/// A plan is pure data. `tend run` carries it out (server-side apply, deletes, a status write);
/// `tend plan` prints it; `tend test` compares it with expectations. Actions are ordered: children
/// in dependency order, then prunes, then the parent's own patch and status.
public struct ReconcilePlan: Sendable {
    public var rule: String
    public var parent: ObjectReference

    /// An empty plan for `parent` of the rule named `rule`.
    public init(rule: String, parent: ObjectReference) {
        self.rule = rule
        self.parent = parent
    }
    /// The parent's UID (empty when the object has none, e.g. offline state without one).
    public var parentUID = ""
    public var children: [PlannedChild] = []
    /// Children Tend manages for this parent that are no longer desired.
    public var prune: [PrunedChild] = []
    /// The fields of the parent the rule owns (`spec.patch`, its inventory and finalizer), when they
    /// differ from the live object.
    public var parentPatch: Value?
    /// The fields of the parent the rule owns, whether or not they differ from the live object (nil
    /// when it owns none): what the engine compares with its last apply to tell another writer's
    /// change (drift) from a change of its own.
    public var parentFields: Value?
    /// The desired `status` fields (phase, conditions, observedGeneration, fields), when a status is declared.
    public var status: Value?
    /// Whether the written status differs from the live one.
    public var statusChanged = false
    /// Top-level `status` fields Tend wrote before and now removes (a pending transition that
    /// fired or stopped holding). The status write removes them explicitly.
    public var statusFieldsToRemove: [String] = []
    /// Status values left out because their expression read a value that is not there yet (a
    /// child's field before it is set, an absent key), each as `what: why`, e.g.
    /// `status.available: no such key: "availableReplicas"`. Not problems: kro leaves such fields
    /// unset too; `has()` or optional types (`.?`, `orValue`) make a default explicit.
    public var leftOut: [String] = []
    /// Ids of children waiting for a child they read to be ready (`dependentsWait: ready`), not
    /// merely to exist: their ``PlannedChild/Action/waiting(on:)`` names that child.
    public var waitingForReady: Set<String> = []
    public var phaseChange: PhaseChange?
    /// Reconcile again after this long even if nothing changes: a `for:` transition is pending.
    public var requeueAfter: Duration?
    /// `ready.<id>` for every child, and `all`.
    public var readiness: [String: Bool] = [:]
    /// Whether the parent needs Tend's finalizer (some child cannot carry an ownerReference, or is orphaned on delete).
    public var needsFinalizer = false
    /// The parent is being deleted and every child is handled: remove Tend's finalizer.
    public var removeFinalizer = false
    /// Kinds in the rule's inventory the snapshot does not hold (``WorldSnapshot/holds(_:)``): their
    /// children could not be searched; the engine starts informers for them and plans again.
    public var uncachedKinds: [GroupVersionKind] = []
    /// Kinds (`apiVersion/Kind`) to add to the rule's ``InventoryRecord`` before anything else is
    /// written: kinds of children this plan applies, and kinds a legacy inventory annotation on the
    /// parent names, that the record does not have yet. Usually empty: a rule records a kind once.
    /// Tend's own bookkeeping, like its Events: not a change to the cluster's objects
    /// (``hasChanges``), and not shown by `tend plan`.
    public var kindsToRecord: [String] = []
    /// Problems found while planning; each also shows in the Ready condition.
    public var problems: [Problem] = []
    /// While the object is being deleted, what the rule's `finalize` still waits for (a `when`
    /// that does not hold, a finalize child not ready yet); empty once it may go.
    public var finalizing: [String] = []
    /// Set when the plan releases an object that left the rule's scope
    /// (``Planner/planRelease(parent:world:)``): only prunes and, with ``removeFinalizer``, the
    /// removal of Tend's finalizer from exactly the finalizers read here; no other field is written.
    public var release: Release?
    /// The object carries `tend.dev/reconcile: suspended` (``Planner/isSuspended(_:)``): the plan is
    /// empty and nothing is written for it.
    public var suspended = false
    /// Set on a plan of an object another rule's plan writes, made by ``ChainFollower``: what it
    /// would do once that write is made.
    public var followsFrom: FollowsFrom?
    /// What the planner evaluated, when it was asked to record it (`tend explain`).
    public var trace: PlanTrace?

    /// What a release plan read of the object it releases.
    public struct Release: Sendable, Hashable {
        /// The object's finalizers when planned, in order.
        public var finalizers: [String]
        public init(finalizers: [String]) { self.finalizers = finalizers }
    }

    /// Whether carrying out the plan changes any object of the cluster's (Tend's bookkeeping aside:
    /// ``kindsToRecord``, Events).
    public var hasChanges: Bool {
        children.contains { $0.action.isWrite } || !prune.isEmpty || parentPatch != nil || statusChanged || removeFinalizer
    }

    /// The phase this reconcile writes, when it differs from the live one.
    public struct PhaseChange: Sendable, Hashable {
        /// The live phase; nil on the first reconcile (the initial phase is written).
        public var from: String?
        public var to: String
        /// The transition's `reason` and rendered `message`, when one fired and declares them.
        public var reason: String?
        public var message: String?

        public init(from: String?, to: String, reason: String? = nil, message: String? = nil) {
            self.from = from
            self.to = to
            self.reason = reason
            self.message = message
        }

        /// `Running -> Degraded (ReplicasUnavailable): 0 of 3 available`.
        public var description: String {
            var s = "\(from ?? "") -> \(to)"
            if let reason { s += " (\(reason))" }
            if let message, !message.isEmpty { s += ": \(message)" }
            return s
        }
    }

    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// A CamelCase reason for the condition and the Event (`TemplateError`, `NotOwned`, ...).
        public var reason: String
        public var message: String
        /// The child concerned, if any.
        public var child: String?
        public init(reason: String, message: String, child: String? = nil) {
            self.reason = reason
            self.message = message
            self.child = child
        }
        public var description: String { "\(reason): \(message)" }
    }
}

/// One desired child object and what to do about it.
public struct PlannedChild: Sendable {
    public enum Action: Sendable, Equatable {
        /// It does not exist: create it (server-side apply).
        case create
        /// It exists and differs in fields the rule owns: apply.
        case update
        /// It exists and matches: nothing to write.
        case unchanged
        /// It exists but Tend does not manage it and the child does not say `adopt: true`.
        case notOwned
        /// It cannot be rendered yet: it reads a child that does not exist yet.
        case waiting(on: String)

        public var isWrite: Bool { self == .create || self == .update }
    }

    public var id: String
    /// The loop variables' values for a `forEach` child, in order.
    public var loop: [String: Value]
    public var kind: GroupVersionKind
    public var key: ObjectKey
    /// The object to apply, labels, annotations and ownerReference included.
    public var desired: Value
    /// The object as it is now, if it exists.
    public var live: Value?
    public var action: Action
    public var ready: Bool
    /// Set when the action is ``Action/update`` although Tend's desired object did not change
    /// (the live object carries its applied-hash): another writer changed these fields.
    public var drift: Drift? = nil
    /// Set on an ``Action/update`` that is carried out as a delete and a create (`-/+ replace`):
    /// the object is deleted (with its uid as a precondition) and its delete event reconciles the
    /// parent, which creates it from the template.
    public var replacement: Replacement? = nil

    public var reference: ObjectReference { ObjectReference(kind: kind, key: key) }

    /// Why an update replaces the object.
    public enum Replacement: Sendable, Equatable, CustomStringConvertible {
        /// `updatePolicy: replace`: every update does.
        case always
        /// `updatePolicy: recreate`, and the API server would refuse the update.
        case immutable(ImmutableFields.Refusal)

        public var description: String {
            switch self {
            case .always: "updatePolicy: replace"
            case .immutable(let r): "\(r.field) cannot change; updatePolicy: recreate"
            }
        }
    }
}

/// A managed child that is no longer desired.
public struct PrunedChild: Sendable {
    public var id: String?
    public var kind: GroupVersionKind
    public var key: ObjectKey
    public var live: Value
    /// `orphan` children are released (Tend's labels removed) instead of deleted.
    public var policy: Rule.Child.DeletePolicy

    public var reference: ObjectReference { ObjectReference(kind: kind, key: key) }
}
