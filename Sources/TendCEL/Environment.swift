/// What an expression may refer to: the variables a rule puts in scope (`self`, child ids,
/// lookups, loop variables). Functions are the standard library (see docs/expressions.md).
public struct CELEnvironment: Sendable {
    /// A declared variable. `fields`, when given, is the complete set of fields the variable has
    /// at the top level (e.g. `apiVersion`, `kind`, `metadata`, `spec`, `status`), and selecting
    /// any other field directly on it is reported at load time; nil means unknown structure
    /// (`dyn`): anything goes until evaluation.
    public struct Variable: Sendable, Hashable {
        public var fields: [String]?
        /// The variable's static type for the type checker; `dyn` (the default) when unknown.
        public var type: CELStaticType
        /// Whether the variable is the time of the evaluation (a `timestamp`, the rules' `now`):
        /// an expression that reads it may change its result as time passes
        /// (``CELProgram/readsTimeVariable``, ``CELProgram/timeBoundaries(_:)``).
        public var isClock: Bool
        public init(fields: [String]? = nil, type: CELStaticType = .dyn, isClock: Bool = false) {
            self.fields = fields
            self.type = type
            self.isClock = isClock
        }
    }

    public private(set) var variables: [String: Variable]
    /// Checkers of the field paths rooted at a variable, by variable name (see ``CELFieldPath``).
    public private(set) var fieldCheckers: [String: any CELFieldPathChecker] = [:]
    /// Whether compiling reports type errors the type checker is certain of (`'a' + 1`,
    /// `self.spec.size > "3"` with `size` an int, `size(1)`) as compile errors. Off by default:
    /// they are then evaluation errors, as in an untyped environment. The inferred result type
    /// (``CELProgram/resultType``) is available either way.
    public var reportsTypeErrors = false

    /// An environment declaring `variables` with unknown structure.
    public init(variables: [String] = []) {
        self.variables = Dictionary(variables.map { ($0, Variable()) }, uniquingKeysWith: { a, _ in a })
    }

    /// Declares (or redeclares) a variable, of static type `type` (`dyn`: unknown).
    public mutating func declare(_ name: String, fields: [String]? = nil, type: CELStaticType = .dyn) {
        variables[name] = Variable(fields: fields, type: type)
    }

    /// Declares `name` as the time of the evaluation: a `timestamp` whose value (an RFC 3339
    /// string or a timestamp) the caller binds, and on which results may depend (see
    /// ``Variable/isClock``).
    public mutating func declareClock(_ name: String) {
        variables[name] = Variable(type: .timestamp, isClock: true)
    }

    /// Has `checker` judge every field path rooted at variable `name` (when `name` is declared and
    /// not shadowed by a comprehension variable) each time an expression is compiled in this
    /// environment; its problems are compile errors like an unknown variable.
    public mutating func checkFieldPaths(of name: String, with checker: any CELFieldPathChecker) {
        fieldCheckers[name] = checker
    }

    /// A copy with one more variable (e.g. a `forEach` loop variable).
    public func declaring(_ name: String, fields: [String]? = nil, type: CELStaticType = .dyn) -> CELEnvironment {
        var e = self
        e.declare(name, fields: fields, type: type)
        return e
    }
}
