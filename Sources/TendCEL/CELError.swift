/// An error raised while evaluating a CEL expression (`division by zero`, `no such key: "tier"`,
/// `no matching overload for '_+_' applied to (int, string)`, ...).
///
/// Errors are values in CEL: they propagate through an expression until observed, except that
/// `&&`, `||`, `?:` and the macros `all`/`exists` absorb them when the other side decides the
/// result (`false && (1/0 == 1)` is `false`, and so is `(1/0 == 1) && false`).
public struct CELError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Offset (0-based, in Unicode scalars) within the expression text of the operation that
    /// failed, when known.
    public var offset: Int?
    /// The expression read a value that is not there: a missing map key or field, or a list index
    /// out of range. Callers may take it as "not known yet" rather than a failure (a status field
    /// reading `deployment.status.availableReplicas` before the first rollout).
    public var isAbsentValue: Bool

    public init(_ message: String, offset: Int? = nil, isAbsentValue: Bool = false) {
        self.message = message
        self.offset = offset
        self.isAbsentValue = isAbsentValue
    }

    public var description: String { message }

    static func noOverload(_ function: String, _ args: CELValue...) -> CELError {
        CELError("no matching overload for '\(function)' applied to (\(args.map { $0.celType.name }.joined(separator: ", ")))")
    }

    static let divisionByZero = CELError("division by zero")
    static let moduloByZero = CELError("modulus by zero")
    static func overflow(_ what: String = "int") -> CELError { CELError("\(what) overflow") }
    static func noSuchKey(_ k: CELValue) -> CELError { CELError("no such key: \(k.celLiteral)", isAbsentValue: true) }
    static func noSuchField(_ field: String) -> CELError { CELError("no such key: \"\(field)\"", isAbsentValue: true) }
}
