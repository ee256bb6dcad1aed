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
        /// `operand.?field`: an optional holding the field, `optional.none()` when it is absent.
        case optionalSelect(Expr, String)
        /// `operand[?index]`: an optional holding the entry or element, none when it is absent.
        case optionalIndex(Expr, Expr)
        /// `?x` as an element of a list literal (`[?x]`) or a key of a map literal (`{?k: x}`):
        /// the element (the value of `x`, an optional) or the entry (its value, `x` in the map's
        /// value position) is included only when the optional has a value.
        case optionalEntry(Expr)
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

extension Expr {
    /// The number of nodes in this tree: the cost unit of evaluating it once (see CostBudget.swift).
    var nodeCount: Int {
        switch kind {
        case .literal, .ident: 1
        case .select(let x, _), .optionalSelect(let x, _), .unary(_, let x), .optionalEntry(let x): 1 + x.nodeCount
        case .index(let x, let y), .optionalIndex(let x, let y), .binary(_, let x, let y): 1 + x.nodeCount + y.nodeCount
        case .call(let target, _, let args): 1 + (target?.nodeCount ?? 0) + args.reduce(0) { $0 + $1.nodeCount }
        case .conditional(let c, let t, let f): 1 + c.nodeCount + t.nodeCount + f.nodeCount
        case .list(let items): 1 + items.reduce(0) { $0 + $1.nodeCount }
        case .map(let entries): 1 + entries.reduce(0) { $0 + $1.key.nodeCount + $1.value.nodeCount }
        }
    }
}

/// Identifies a node of one parsed expression between the type checker and the compiler: its
/// position and the kind of node there (a selection and its operand never share a principal token).
struct NodeKey: Hashable {
    var offset: Int
    var length: Int
    var tag: UInt8

    init(_ e: Expr) {
        offset = e.offset
        length = e.length
        tag = switch e.kind {
        case .ident: 0
        case .select: 1
        case .index: 2
        default: 3
        }
    }
}
