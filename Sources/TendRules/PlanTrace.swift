public import Foundation
import TendCEL
public import TendValue

/// What the planner evaluated to reach a plan: every `includeWhen`, `readyWhen` and transition
/// guard, with its value or its error. `tend explain` shows it.
///
/// Recorded only when asked for (``Planner/init(rule:trace:)`` with `trace: true`): `tend run`
/// never pays for it. Recording never changes the plan: a traced plan equals an untraced one
/// apart from ``ReconcilePlan/trace``.
public struct PlanTrace: Sendable {
    /// One child instance (one per `forEach` combination), in planning order.
    public var children: [Child] = []
    /// Lookups left out because an `includeWhen` of theirs did not hold.
    public var excludedLookups: [String] = []
    /// The rule's `finalize.when`, evaluated while the object is being deleted.
    public var finalize: [Evaluation] = []
    /// The phase machine, when the rule declares one and the status was planned.
    public var phase: Phase?

    public init() {}

    /// One CEL expression evaluated once: its value, or why it could not be evaluated.
    public struct Evaluation: Sendable, Hashable {
        /// The expression as the rule file spells it, `${...}`.
        public var expression: String
        /// The value; nil when evaluation failed.
        public var value: Bool?
        /// The evaluation error, when it failed.
        public var error: String?

        public init(expression: String, value: Bool?, error: String? = nil) {
            self.expression = expression
            self.value = value
            self.error = error
        }

        /// Evaluates `program` as a condition over `variables`.
        init(_ program: CELProgram, _ variables: [String: Value]) {
            self.init(program, result: Result(catching: { () throws(CELError) -> Bool in try program.evaluateCondition(variables) }))
        }

        /// Records an evaluation the planner has already made.
        init(_ program: CELProgram, result: Result<Bool, CELError>) {
            expression = Rule.Watch.shown(program)
            switch result {
            case .success(let b): value = b
            case .failure(let e): error = program.diagnostic(for: e).message
            }
        }
    }

    public struct Child: Sendable {
        public enum Outcome: Sendable, Hashable {
            /// Rendered and compared with the live object: the plan's ``PlannedChild`` says what happens.
            case planned
            /// An `includeWhen` is false (or failed): the instance is left out.
            case excluded
            /// Left out because it reads this child, which is left out.
            case excludedWith(String)
            /// Not rendered: it reads this child, which does not exist yet.
            case waiting(on: String)
            /// Its `forEach`, `includeWhen` or template failed: existing objects are kept.
            case failed(String)
        }

        public var id: String
        /// The loop variables of a `forEach` instance.
        public var loop: [String: Value]
        public var outcome: Outcome
        public var includeWhen: [Evaluation]
        /// Evaluated only for a child that exists and is managed; empty otherwise.
        public var readyWhen: [Evaluation]
        public var ready: Bool
        /// For a `planned` instance: the index of its ``PlannedChild`` in ``ReconcilePlan/children``.
        public var plannedIndex: Int?

        public init(id: String, loop: [String: Value] = [:], outcome: Outcome, includeWhen: [Evaluation] = [], readyWhen: [Evaluation] = [], ready: Bool = false, plannedIndex: Int? = nil) {
            self.id = id
            self.plannedIndex = plannedIndex
            self.loop = loop
            self.outcome = outcome
            self.includeWhen = includeWhen
            self.readyWhen = readyWhen
            self.ready = ready
        }
    }

    /// The phase machine as evaluated: the current phase and each transition leaving it.
    public struct Phase: Sendable {
        /// The phase before this reconcile (the live phase, or the initial one).
        public var current: String
        /// The phase written in `status` now; nil on the first reconcile.
        public var live: String?
        public var transitions: [Transition]
    }

    public struct Transition: Sendable {
        public enum Verdict: Sendable, Hashable {
            /// Its guard holds and it fires in this reconcile.
            case fires
            /// Its guard holds, but it has `for:` and has not held long enough.
            case pending(since: Date, dueIn: Duration)
            /// Its guard does not hold (false, or failed to evaluate).
            case doesNotHold
            /// An earlier transition (declaration order is priority) decides this reconcile.
            case shadowed
        }

        /// Its index in the rule's ``Rule/PhaseMachine/transitions`` (declaration order).
        public var index: Int
        public var from: [String]
        public var to: String
        public var guardEvaluation: Evaluation
        public var holdFor: Duration?
        public var verdict: Verdict
    }
}
