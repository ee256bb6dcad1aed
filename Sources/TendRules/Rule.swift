public import TendCEL
public import TendMeta
public import TendRegex
public import TendValue

/// A compiled rule: everything `tend run`, `tend plan` and `tend test` need to reconcile one
/// watched kind, checked and with every expression compiled.
///
/// Rules are immutable values; the engine shares one instance between all workers.
public struct Rule: Sendable {
    public var name: String
    /// Where the rule was defined (the `kind: Rule` line), for messages.
    public var location: SourceLocation
    public var watch: Watch
    public var lookups: [Lookup]
    /// Children in apply order: every child comes after the children its expressions reference.
    public var children: [Child]
    /// Fields of the watched object itself that the rule owns (server-side apply), or nil.
    public var patch: TemplateNode?
    public var status: StatusSpec
    /// The CRD schema for the watched kind, when the rule declares one (`tend crds`).
    public var schema: SchemaSpec?
    /// The rule's source document as canonical JSON (keys sorted, no locations): two rules with
    /// equal fingerprints were compiled from equal documents, so they behave the same. `tend run`
    /// compares fingerprints on a reload to keep unchanged rules running (``RuleCompiler/compile(_:)``
    /// sets it; comments, formatting, key order and the file's position do not change it).
    public var fingerprint: String = ""
    /// The expressions that read `now`: each reconcile requeues the object for when their results
    /// can next change (Rule+Time.swift).
    public var timePrograms: [CELProgram] = []
    /// `spec.requeueAfter`: how often an object is reconciled again when an expression reads `now`
    /// and no instant of change can be computed (``defaultTimePeriod`` when nil).
    public var requeueAfter: Duration?
    /// `spec.dependentsWait`: the default of the children's ``Child/dependentsWait``.
    public var dependentsWait: Child.DependentsWait = .exists
    /// `spec.finalize`: what must happen while a watched object is being deleted, before Tend lets
    /// it go (Planner+Finalize.swift). A rule with one puts its finalizer on every watched object.
    public var finalize: Finalize?

    /// The children and the finalize children: every child the rule may write, for informers,
    /// RBAC and looking a planned child up by id.
    public var allChildren: [Child] { children + (finalize?.children ?? []) }

    /// Label put on every child: the name of the rule that manages it.
    public static let ruleLabel = "tend.dev/rule"
    /// Label put on every child: the UID of the watched object it belongs to.
    public static let ownerUIDLabel = "tend.dev/owner-uid"
    /// Annotation put on every child: the child's id within the rule.
    public static let childIDAnnotation = "tend.dev/child"
    /// On a child that cannot carry an ownerReference (another namespace than its owner's, or a
    /// cluster-scoped child of a namespaced owner): the owner as `namespace/name` (`name` when the
    /// owner is cluster-scoped), so the owner can be found from the child alone, e.g. after a restart.
    public static let ownerAnnotation = "tend.dev/owner"
}

extension Rule {
    /// What a rule watches.
    public struct Watch: Sendable {
        public var kind: GroupVersionKind
        public var namespaces: NamespaceSelection
        /// Label selector sent to the server (string form, as in `kubectl -l`), or nil.
        public var labelSelector: String?
        /// Field selector sent to the server, or nil.
        public var fieldSelector: String?
        /// Client-side name filter (PCRE2), or nil.
        public var name: Regex?
        /// Client-side CEL filter over `self`, or nil.
        public var when: CELProgram?
    }

    /// Which namespaces a rule applies to.
    public enum NamespaceSelection: Sendable {
        /// Every namespace (and cluster-scoped objects).
        case all
        /// Namespaces whose names match any of these globs (`*` and `?`).
        case globs([String])
        /// Namespaces whose labels match this selector (string form), followed live.
        case selector(String)

        /// Whether `namespace` is selected by name (always true for `.selector`, which needs labels).
        public func matchesName(_ namespace: String) -> Bool {
            switch self {
            case .all, .selector: true
            case .globs(let globs): globs.contains { Glob.matches($0, namespace) }
            }
        }
    }

    /// Another object the templates read from the cache.
    public struct Lookup: Sendable {
        public var id: String
        public var kind: GroupVersionKind
        /// The namespace to read from; nil for cluster-scoped kinds or the watched object's namespace.
        public var namespace: CELTemplate?
        /// A single object by name; when nil, `selector` lists many.
        public var name: CELTemplate?
        /// Label selector (string form) for a list lookup.
        public var selector: String?
        /// All must hold (they read `self`) for the lookup to be made. Otherwise it is left out: it
        /// is `null` (`[]` for a list), and children that read it are left out too (kro's
        /// `externalRef` with `includeWhen`).
        public var includeWhen: [CELProgram] = []
        public var location: SourceLocation

        /// Whether the lookup yields a list (selector) rather than one object (name).
        public var isList: Bool { name == nil }
    }

    /// What a rule does while a watched object is being deleted (Metacontroller's finalize hook).
    public struct Finalize: Sendable {
        /// Children created (or kept as the templates say) while the object is being deleted, in
        /// apply order; they read `self`, lookups, the rule's children (their live objects) and
        /// each other. Deleted with the object.
        public var children: [Child]
        /// All must hold, with every finalize child ready, before the object may go.
        public var when: [CELProgram]
    }

    /// A desired child object.
    public struct Child: Sendable {
        public enum DeletePolicy: String, Sendable { case delete, orphan }

        public var id: String
        public var template: TemplateNode
        /// All must be true for the child to exist.
        public var includeWhen: [CELProgram]
        /// Loop variables in declaration order; the child is instantiated for each combination.
        public var forEach: [(name: String, values: CELProgram)]
        /// All must be true for the child to count as ready.
        public var readyWhen: [CELProgram]
        public var onDelete: DeletePolicy
        /// Whether an existing object with the child's name that Tend does not manage may be taken over.
        public var adopt: Bool
        /// What happens when the child exists and its template renders differently.
        public var updatePolicy: UpdatePolicy = .apply
        /// What children that read this one wait for (`dependentsWait:`; the rule's
        /// `spec.dependentsWait` when not set): that it exists (the default), or that it is ready.
        public var dependentsWait: DependentsWait?

        /// `dependentsWait:` of a child or a rule.
        public enum DependentsWait: String, Sendable {
            /// A child reading this one is applied once it exists.
            case exists
            /// A child reading this one is applied once it is ready (its `readyWhen` hold), as kro does.
            case ready
        }
        /// Ids of other children this one's expressions read (they are applied first).
        public var dependencies: [String]
        /// Ids of lookups this child reads.
        public var lookupDependencies: [String]
        public var location: SourceLocation
        /// The child's kind when the template states it literally.
        public var kind: GroupVersionKind?

        public var isCollection: Bool { !forEach.isEmpty }

        /// `updatePolicy:` of a child.
        public enum UpdatePolicy: String, Sendable {
            /// Keep the object as the template says: every change is applied (the default).
            case apply
            /// Create the object when it is missing, then leave it alone: later template changes and
            /// others' edits are not reverted (Kyverno's `synchronize: false`). Pruning, ownership and
            /// readiness still apply.
            case createOnly
            /// Like `apply`; when the API server refuses an update because a field cannot change
            /// (`field is immutable`, `pod updates may not change fields`), the object is deleted and
            /// created again from the template. The planner shows such an update as `-/+ replace`
            /// where it knows the field is immutable (``ImmutableFields``).
            case recreate
            /// Every update deletes the object and creates it again from the template
            /// (Metacontroller's Recreate strategy): for objects that must start afresh to take a
            /// change. Shown as `-/+ replace`.
            case replace
        }
    }

    /// How the watched object's status moves.
    public struct StatusSpec: Sendable {
        public var phase: PhaseMachine?
        public var conditions: [ConditionSpec]
        /// Extra fields written under `status`, in order.
        public var fields: [(name: String, value: TemplateNode)]

        public var isEmpty: Bool { phase == nil && conditions.isEmpty && fields.isEmpty }
    }

    /// Declared phases with guarded transitions.
    public struct PhaseMachine: Sendable {
        /// Where the phase is written; `status.phase` by default.
        public var path: FieldPath
        public var initial: String
        public var transitions: [Transition]
        /// Every phase the machine can be in, in order of first appearance.
        public var phases: [String]

        public struct Transition: Sendable {
            /// Phases this transition leaves from; empty means any (`"*"`).
            public var from: [String]
            public var to: String
            public var when: CELProgram
            public var reason: String?
            public var message: CELTemplate?
            /// `for:`: the guard must hold this long, over consecutive reconciles, before the
            /// transition fires (Prometheus alerting's pending-then-firing). While it waits, the
            /// status carries `pendingTransition` and the object is reconciled again when it is due.
            public var holdFor: Duration?
            public var location: SourceLocation
        }
    }

    /// A condition the rule maintains on the watched object.
    public struct ConditionSpec: Sendable {
        public var type: String
        /// Evaluates to a bool, or to one of "True", "False", "Unknown".
        public var status: TemplateNode
        public var reason: TemplateNode?
        public var message: TemplateNode?
        public var location: SourceLocation
    }
}

/// Shell-style globs for namespace names: `*` matches any run of characters, `?` one character.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
