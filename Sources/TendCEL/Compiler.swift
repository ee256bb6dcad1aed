/// Per-evaluation state: one slot per variable the expression uses (declared variables and
/// comprehension variables), resolved at compile time so evaluation never looks a name up, and the
/// cost spent so far against the evaluation's limit (see CostBudget.swift).
///
/// A single allocation holds the header and the slots (tail-allocated), and the class is not
/// generic, so creating one per evaluation costs one malloc and no metadata lookup.
final class Activation: ManagedBuffer<Activation.Header, CELValue> {
    struct Header {
        var slotCount: Int
        var cost: Int64 = 0
        var costLimit: Int64
    }

    static func make(slotCount: Int, costLimit: Int64 = CELCostBudget.defaultLimit) -> Activation {
        let b = Activation.create(minimumCapacity: slotCount) { _ in Header(slotCount: slotCount, costLimit: costLimit) }
        let a = unsafeDowncast(b, to: Activation.self)
        a.withUnsafeMutablePointerToElements { $0.initialize(repeating: .null, count: slotCount) }
        return a
    }

    deinit {
        _ = withUnsafeMutablePointers { h, e in e.deinitialize(count: h.pointee.slotCount) }
    }

    subscript(slot: Int) -> CELValue {
        get { withUnsafeMutablePointerToElements { $0[slot] } }
        set { withUnsafeMutablePointerToElements { $0[slot] = newValue } }
    }

    /// Adds `units` to the cost of this evaluation; throws when that exceeds its limit.
    func charge(_ units: Int64, at offset: Int) throws(CELError) {
        let over = withUnsafeMutablePointerToHeader { h -> Int64? in
            h.pointee.cost &+= units
            return h.pointee.cost > h.pointee.costLimit ? h.pointee.costLimit : nil
        }
        if let over { throw CELError.costLimitExceeded(over, offset: offset) }
    }

    /// The cost spent so far.
    var cost: Int64 { withUnsafeMutablePointerToHeader { $0.pointee.cost } }
}

typealias Eval = @Sendable (Activation) throws(CELError) -> CELValue

/// A compiled node: a constant (folded at compile time) or a closure.
enum Node {
    case constant(CELValue)
    case dynamic(Eval)

    var eval: Eval {
        switch self {
        case .constant(let v): return { _ in v }
        case .dynamic(let f): return f
        }
    }

    var constant: CELValue? { if case .constant(let v) = self { v } else { nil } }
}

/// Attaches `offset` to an error that does not carry one yet.
func located(_ e: CELError, _ offset: Int) -> CELError {
    var e = e
    if e.offset == nil { e.offset = offset }
    return e
}

/// Turns a checked AST into a tree of closures, checking names and arities on the way and
/// collecting every problem found (the "checker" of the issue).
struct Compiler {
    struct Problem {
        var message: String
        var offset: Int
        var length: Int
    }

    let environment: CELEnvironment
    let functions = FunctionTable.standard
    var problems: [Problem] = []
    /// Comprehension variables in scope, innermost last.
    var scope: [(name: String, slot: Int)] = []
    /// Declared variables the expression uses, and their slots.
    var variableSlots: [String: Int] = [:]
    var slotCount = 0
    /// Closures computing the instants at which a comparison with a timestamp variable (`now`)
    /// changes its result (Compiler+TimeBoundaries.swift).
    var timeBoundaries: [Eval] = []
    /// Reads the type checker inferred as `timestamp` (``TypeChecker/timestampReads``): their
    /// RFC 3339 string values are converted to timestamps where they are read.
    var timestampReads: Set<NodeKey> = []

    init(environment: CELEnvironment, timestampReads: Set<NodeKey> = []) {
        self.environment = environment
        self.timestampReads = timestampReads
    }

    mutating func report(_ message: String, _ e: Expr) {
        problems.append(Problem(message: message, offset: e.offset, length: e.length))
    }

    mutating func newSlot() -> Int {
        defer { slotCount += 1 }
        return slotCount
    }

    /// Evaluates an operation over constant operands at compile time; an error stays an error
    /// raised at run time (errors are values in CEL, and an unused branch must not fail).
    func fold(_ offset: Int, _ body: () throws(CELError) -> CELValue) -> Node {
        do throws(CELError) {
            return .constant(try body())
        } catch {
            let e = located(error, offset)
            return .dynamic { _ throws(CELError) in throw e }
        }
    }

    mutating func compile(_ e: Expr) -> Node {
        switch e.kind {
        case .literal(let v):
            return .constant(v)
        case .ident(let name):
            return readingTimestamp(e, compileIdent(name, e))
        case .select, .index:
            return readingTimestamp(e, compileAccess(e))
        case .call(let target, let name, let args):
            return compileCall(target, name, args, e)
        case .unary(let op, let operand):
            let x = compile(operand)
            let f: @Sendable (CELValue) throws(CELError) -> CELValue = op == .not ? Ops.not : Ops.negate
            let off = e.offset
            if let c = x.constant { return fold(off) { () throws(CELError) in try f(c) } }
            let xe = x.eval
            return .dynamic { a throws(CELError) in
                let v = try xe(a)
                do throws(CELError) { return try f(v) } catch { throw located(error, off) }
            }
        case .binary(let op, let l, let r):
            return compileBinary(op, l, r, e)
        case .conditional(let c, let t, let f):
            let cn = compile(c), tn = compile(t), fn = compile(f)
            if case .bool(let b)? = cn.constant { return b ? tn : fn }
            let ce = cn.eval, te = tn.eval, fe = fn.eval
            let off = e.offset
            return .dynamic { a throws(CELError) in
                let v = try ce(a)
                guard case .bool(let b) = v else { throw located(.noOverload("_?_:_", v), off) }
                return b ? try te(a) : try fe(a)
            }
        case .list(let elements):
            return compileList(elements, e)
        case .map(let entries):
            return compileMap(entries, e)
        case .optionalSelect(let operand, let field):
            return compileOptionalAccess(operand, index: nil, field: field, e)
        case .optionalIndex(let operand, let index):
            return compileOptionalAccess(operand, index: index, field: nil, e)
        case .optionalEntry(let inner):
            report("'?' marks an optional element of a list literal or an optional key of a map literal", e)
            return compile(inner)
        }
    }

    /// `node`, converting an RFC 3339 string it yields to a timestamp when `e` is a read the
    /// type checker typed `timestamp` (a schema field with `format: date-time`), as the Kubernetes
    /// API server's CEL does. A value that is not such a string is left as it is.
    func readingTimestamp(_ e: Expr, _ node: Node) -> Node {
        guard !timestampReads.isEmpty, timestampReads.contains(NodeKey(e)) else { return node }
        let convert: @Sendable (CELValue) -> CELValue = { v in
            if case .string(let s) = v, let t = CELTimestamp(rfc3339: s) { return .timestamp(t) }
            return v
        }
        if let c = node.constant { return .constant(convert(c)) }
        let inner = node.eval
        return .dynamic { a throws(CELError) in convert(try inner(a)) }
    }

    // MARK: Names

    /// The dotted name of an identifier/selection chain (`google.protobuf.Timestamp`), if it is one.
    static func qualifiedName(_ e: Expr) -> String? {
        switch e.kind {
        case .ident(let n): return n
        case .select(let o, let f): return qualifiedName(o).map { "\($0).\(f)" }
        default: return nil
        }
    }

    func isBound(_ name: String) -> Bool {
        scope.contains { $0.name == name } || environment.variables[name] != nil
    }

    mutating func compileIdent(_ name: String, _ e: Expr) -> Node {
        if let s = scope.last(where: { $0.name == name }) {
            let slot = s.slot
            return .dynamic { a in a[slot] }
        }
        if environment.variables[name] != nil {
            let slot: Int
            if let s = variableSlots[name] {
                slot = s
            } else {
                slot = newSlot()
                variableSlots[name] = slot
            }
            return .dynamic { a in a[slot] }
        }
        if let t = CELType.byName[name] { return .constant(.type(t)) }
        let candidates = Array(environment.variables.keys) + scope.map(\.name)
        report("undeclared reference to '\(name)'" + Suggest.didYouMean(name, candidates), e)
        return .constant(.null)
    }

    mutating func compileSelect(_ operand: Expr, _ field: String, _ e: Expr) -> Node {
        if isTypeName(operand, field) {
            return .constant(.type(CELType.byName["\(Self.qualifiedName(operand)!).\(field)"]!))
        }
        checkDeclaredField(operand, field, offset: e.offset)
        let x = compile(operand)
        let off = e.offset
        if let c = x.constant { return fold(off) { () throws(CELError) in try Ops.select(c, field) } }
        let xe = x.eval
        return .dynamic { a throws(CELError) in
            let v = try xe(a)
            if case .map(let m) = v, let r = m[field: field] { return r }
            do throws(CELError) { return try Ops.select(v, field) } catch { throw located(error, off) }
        }
    }

    mutating func compileIndex(_ operand: Expr, _ index: Expr, _ e: Expr) -> Node {
        let x = compile(operand), i = compile(index)
        let off = e.offset
        if let c = x.constant, let k = i.constant { return fold(off) { () throws(CELError) in try Ops.index(c, k) } }
        let xe = x.eval
        if case .string(let key)? = i.constant {
            return .dynamic { a throws(CELError) in
                let v = try xe(a)
                if case .map(let m) = v, let r = m[field: key] { return r }
                do throws(CELError) { return try Ops.index(v, .string(key)) } catch { throw located(error, off) }
            }
        }
        let ie = i.eval
        return .dynamic { a throws(CELError) in
            let v = try xe(a)
            let k = try ie(a)
            do throws(CELError) { return try Ops.index(v, k) } catch { throw located(error, off) }
        }
    }

    // MARK: Operators

    mutating func compileBinary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr) -> Node {
        let ln = compile(l), rn = compile(r)
        recordTimeBoundary(op, l, r)
        let off = e.offset
        switch op {
        case .and, .or:
            return compileLogical(op == .and, ln, rn, off)
        case .eq, .ne, .lt, .le, .gt, .ge, .in:
            if let a = ln.constant, let b = rn.constant {
                return fold(off) { () throws(CELError) in .bool(try Ops.relation(op, a, b)) }
            }
            let le = ln.eval
            // Fast paths for the common guard shapes `x > 0` and `x == "web"`.
            if case .int(let c)? = rn.constant, op != .in {
                return .dynamic { a throws(CELError) in
                    let v = try le(a)
                    if case .int(let x) = v {
                        switch op {
                        case .eq: return .bool(x == c)
                        case .ne: return .bool(x != c)
                        case .lt: return .bool(x < c)
                        case .le: return .bool(x <= c)
                        case .gt: return .bool(x > c)
                        default: return .bool(x >= c)
                        }
                    }
                    do throws(CELError) { return .bool(try Ops.relation(op, v, .int(c))) } catch { throw located(error, off) }
                }
            }
            if case .string(let c)? = rn.constant, op == .eq || op == .ne {
                let eq = op == .eq
                return .dynamic { a throws(CELError) in
                    let v = try le(a)
                    if case .string(let x) = v { return .bool(codePointsEqual(x, c) == eq) }
                    return .bool(Ops.equals(v, .string(c)) == eq)
                }
            }
            let re = rn.eval
            return .dynamic { a throws(CELError) in
                let x = try le(a)
                let y = try re(a)
                do throws(CELError) { return .bool(try Ops.relation(op, x, y)) } catch { throw located(error, off) }
            }
        default:
            if let a = ln.constant, let b = rn.constant {
                return fold(off) { () throws(CELError) in try Ops.arithmetic(op, a, b) }
            }
            let le = ln.eval, re = rn.eval
            return .dynamic { a throws(CELError) in
                let x = try le(a)
                let y = try re(a)
                do throws(CELError) { return try Ops.arithmetic(op, x, y) } catch { throw located(error, off) }
            }
        }
    }

    /// `&&` / `||` with CEL's commutative error absorption: if either side decides the result
    /// (`false` for `&&`, `true` for `||`), errors and non-bool values on the other side are ignored.
    func compileLogical(_ isAnd: Bool, _ ln: Node, _ rn: Node, _ off: Int) -> Node {
        let name = isAnd ? "_&&_" : "_||_"
        let decisive = !isAnd
        if case .bool(let b)? = ln.constant, b == decisive { return .constant(.bool(decisive)) }
        if case .bool(let b)? = rn.constant, b == decisive { return .constant(.bool(decisive)) }
        if case .bool(let b)? = ln.constant, b != decisive, case .bool? = rn.constant { return rn }
        let le = ln.eval, re = rn.eval
        return .dynamic { a throws(CELError) in
            var leftError: CELError?
            do throws(CELError) {
                let x = try le(a)
                if case .bool(let b) = x {
                    if b == decisive { return x }
                } else {
                    leftError = located(.noOverload(name, x), off)
                }
            } catch {
                leftError = error
            }
            let y: CELValue
            do throws(CELError) { y = try re(a) } catch { throw leftError ?? error }
            guard case .bool(let b) = y else { throw leftError ?? located(.noOverload(name, y), off) }
            if b == decisive { return y }
            if let leftError { throw leftError }
            return y
        }
    }
}
