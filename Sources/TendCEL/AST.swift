/// A parsed CEL expression. `offset`/`length` locate the node's principal token in the expression
/// text (the operator of a binary expression, the name of a call or selection), in Unicode scalars.
struct Expr: Sendable {
    var kind: Kind
    var offset: Int
    var length: Int

    indirect enum Kind: Sendable {
        case literal(CELValue)
        /// A possibly qualified identifier at the root (`self`, `google.protobuf.Timestamp`).
        case ident(String)
        /// `operand.field`; `testOnly` inside `has()`.
        case select(Expr, String)
        case index(Expr, Expr)
        /// A global call `f(args)` or a method call `target.f(args)`.
        case call(target: Expr?, name: String, args: [Expr])
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        case conditional(Expr, Expr, Expr)
        case list([Expr])
        case map([(key: Expr, value: Expr)])
    }
}

enum UnaryOp: String, Sendable {
    case not = "!"
    case negate = "-"
}

enum BinaryOp: String, Sendable {
    case or = "||", and = "&&"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", `in` = "in"
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"

    /// The CEL function name used in overload errors (`_+_`, `@in`, ...).
    var functionName: String { self == .in ? "@in" : "_\(rawValue)_" }
}
