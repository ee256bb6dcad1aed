/// When a comparison with `now` can next change its result.
///
/// A clock variable (``CELEnvironment/declareClock(_:)``, the rules' `now`) makes an expression's result depend on time. For
/// each comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`) with `now` on one side, in one of the shapes
/// `now`, `now + d`, `now - d` (`d` a duration), `now - t` or `t - now` (`t` a timestamp), and an
/// other side that does not read `now`, the compiler keeps a closure computing the instant at which
/// the two sides meet: `other`, `other - d`, `other + d`, `t + other` or `t - other`. ``CELProgram/timeBoundaries(_:)``
/// evaluates them; a caller requeues for the earliest one in the future. Comparisons of other
/// shapes (`now.getHours() > 9`) have no boundary; ``CELProgram/readsTimeVariable`` still says
/// that the result depends on time.
extension Compiler {
    /// How one side of a comparison depends on the time variable.
    enum TimeShape {
        case now
        case plus(Expr)
        case minus(Expr)
        /// `t - now`
        case subtractedFrom(Expr)
    }

    func isTimeVariable(_ e: Expr) -> Bool {
        guard case .ident(let name) = e.kind, !scope.contains(where: { $0.name == name }) else { return false }
        return environment.variables[name]?.isClock == true
    }

    func readsTimeVariable(_ e: Expr) -> Bool {
        if isTimeVariable(e) { return true }
        switch e.kind {
        case .literal, .ident: return false
        case .select(let x, _), .optionalSelect(let x, _), .unary(_, let x), .optionalEntry(let x): return readsTimeVariable(x)
        case .index(let x, let y), .optionalIndex(let x, let y), .binary(_, let x, let y): return readsTimeVariable(x) || readsTimeVariable(y)
        case .call(let target, _, let args): return (target.map(readsTimeVariable) ?? false) || args.contains(where: readsTimeVariable)
        case .conditional(let c, let t, let f): return readsTimeVariable(c) || readsTimeVariable(t) || readsTimeVariable(f)
        case .list(let items): return items.contains(where: readsTimeVariable)
        case .map(let entries): return entries.contains { readsTimeVariable($0.key) || readsTimeVariable($0.value) }
        }
    }

    func timeShape(_ e: Expr) -> TimeShape? {
        if isTimeVariable(e) { return .now }
        guard case .binary(let op, let l, let r) = e.kind else { return nil }
        switch op {
        case .add where isTimeVariable(l) && !readsTimeVariable(r): return .plus(r)
        case .add where isTimeVariable(r) && !readsTimeVariable(l): return .plus(l)
        case .sub where isTimeVariable(l) && !readsTimeVariable(r): return .minus(r)
        case .sub where isTimeVariable(r) && !readsTimeVariable(l): return .subtractedFrom(l)
        default: return nil
        }
    }

    /// Records the boundary of the comparison `l op r` when it has one of the shapes above.
    mutating func recordTimeBoundary(_ op: BinaryOp, _ l: Expr, _ r: Expr) {
        guard [.lt, .le, .gt, .ge, .eq, .ne].contains(op) else { return }
        let shape: TimeShape
        let other: Expr
        if let s = timeShape(l), !readsTimeVariable(r) {
            (shape, other) = (s, r)
        } else if let s = timeShape(r), !readsTimeVariable(l) {
            (shape, other) = (s, l)
        } else {
            return
        }
        // Compiling again only builds closures; problems were reported by the main compile.
        let saved = problems
        let otherEval = compile(other).eval
        switch shape {
        case .now:
            timeBoundaries.append(otherEval)
        case .plus(let d):
            let de = compile(d).eval
            let boundary: Eval = { a throws(CELError) in
                let o = try otherEval(a)
                let shift = try de(a)
                return try Ops.subtract(o, shift)
            }
            timeBoundaries.append(boundary)
        case .minus(let x):
            let xe = compile(x).eval
            let boundary: Eval = { a throws(CELError) in
                let o = try otherEval(a)
                let shift = try xe(a)
                return try Ops.add(o, shift)
            }
            timeBoundaries.append(boundary)
        case .subtractedFrom(let t):
            let te = compile(t).eval
            let boundary: Eval = { a throws(CELError) in
                let o = try otherEval(a)
                let from = try te(a)
                return try Ops.subtract(from, o)
            }
            timeBoundaries.append(boundary)
        }
        problems = saved
    }
}
