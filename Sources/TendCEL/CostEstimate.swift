/// The load-time estimate of an expression's worst-case cost, checked against the runtime limit
/// of one evaluation (``CELCostBudget``), as the Kubernetes API server checks a validation rule's
/// estimated cost when a CRD is written.
///
/// The estimate counts what evaluation charges: for each element a comprehension visits, one unit
/// plus the number of nodes in its body, plus what the body's own comprehensions cost. It is an
/// upper bound where every comprehension's range has a known maximum size:
/// - a list or map literal (its entries), `lists.range(n)` with a literal `n`, `a + b` of bounded
///   lists, and `map`/`filter`/`transformList`/`transformMap`/`sortBy` of a bounded range;
/// - a `cel.bind` variable holding a bounded value;
/// - a field whose schema declares `maxItems` or `maxProperties`, asked of the root variable's
///   ``CELFieldPathChecker`` (``CELFieldPathChecker/maxSize(of:)``), also through comprehension
///   variables (`self.spec.groups.all(g, g.members.all(...))`).
///
/// Where a range is unbounded there is no estimate (the runtime limit still applies), unlike the
/// API server, which assumes the largest request; Tend reports only what is certain to be possible.
/// The first comprehension whose bounded cost exceeds the limit is reported, once per expression.
struct CostEstimator {
    let environment: CELEnvironment
    let limit: Int64
    private(set) var problem: Compiler.Problem?
    /// Comprehension variables in scope, innermost last, with the path of the element they take
    /// when the range is a chain rooted at a checked variable; `cel.bind` variables with the size
    /// of their value.
    private var scope: [(name: String, element: (root: String, steps: [CELFieldPath.Segment])?, size: Int64?)] = []

    init(environment: CELEnvironment, limit: Int64 = CELCostBudget.defaultLimit) {
        self.environment = environment
        self.limit = limit
    }

    /// The most `e` can cost in one evaluation; nil when it depends on an unbounded size.
    mutating func cost(_ e: Expr) -> Int64? {
        switch e.kind {
        case .literal, .ident:
            return 0
        case .select(let x, _), .optionalSelect(let x, _), .unary(_, let x), .optionalEntry(let x):
            return cost(x)
        case .index(let x, let y), .optionalIndex(let x, let y), .binary(_, let x, let y):
            return Self.sum([cost(x), cost(y)])
        case .conditional(let c, let t, let f):
            let ct = cost(c), tt = cost(t), ft = cost(f)
            guard let tt, let ft else { return nil }
            return Self.sum([ct, max(tt, ft)])
        case .list(let items):
            return Self.sum(items.map { cost($0) })
        case .map(let entries):
            return Self.sum(entries.flatMap { [cost($0.key), cost($0.value)] })
        case .call(let target, let name, let args):
            if let target, let variables = comprehensionVariables(target, name, args) {
                return comprehensionCost(target, variables, Array(args.dropFirst(variables.count)), e)
            }
            if name == "bind", let target, Compiler.qualifiedName(target) == "cel", args.count == 3, case .ident(let v) = args[0].kind {
                let initial = cost(args[1])
                scope.append((v, chain(args[1]), size(args[1])))
                defer { scope.removeLast() }
                return Self.sum([initial, cost(args[2])])
            }
            return Self.sum([target.map { cost($0) } ?? 0] + args.map { cost($0) })
        }
    }

    /// The names a comprehension macro binds (nil when the call is not one).
    private func comprehensionVariables(_ target: Expr, _ name: String, _ args: [Expr]) -> [String]? {
        guard name != "bind", !Compiler.macroVariables(target, name, args).isEmpty else { return nil }
        return Compiler.macroVariables(target, name, args)
    }

    private mutating func comprehensionCost(_ range: Expr, _ variables: [String], _ bodies: [Expr], _ e: Expr) -> Int64? {
        let rangeCost = cost(range)
        let elements: Int64? = ["optMap", "optFlatMap"].contains(Self.name(e)) ? 1 : size(range)
        let element = chain(range).map { (root: $0.root, steps: $0.steps + [Self.indexStep]) }
        for (i, v) in variables.enumerated() {
            // The last variable takes the element (the value, with two); the first of two, the index or key.
            scope.append((v, i == variables.count - 1 ? element : nil, nil))
        }
        let bodyCosts = bodies.map { cost($0) }
        scope.removeLast(variables.count)
        let perElement = Self.sum([1 + Int64(bodies.reduce(0) { $0 + $1.nodeCount })] + bodyCosts)
        guard let elements, let perElement, let rangeCost else { return nil }
        let (visits, overflow) = elements.multipliedReportingOverflow(by: perElement)
        let total = overflow ? Int64.max : Self.sum([rangeCost, visits])!
        if total > limit, problem == nil {
            problem = Compiler.Problem(
                message: "the worst-case cost of this comprehension is \(total == .max ? "over \(Int64.max)" : "\(total)") units, over the limit of \(limit) for one evaluation: it can visit \(elements) elements at \(perElement) units each; lower the schema's maxItems or maxProperties, or restructure the expression (see docs/expressions.md#cost-budget)",
                offset: e.offset, length: e.length)
        }
        return total
    }

    /// The most elements (entries) `e` can have as a list (map); nil when unknown.
    mutating func size(_ e: Expr) -> Int64? {
        switch e.kind {
        case .list(let items): return Int64(items.count)
        case .map(let entries): return Int64(entries.count)
        case .binary(.add, let l, let r):
            guard let a = size(l), let b = size(r) else { return nil }
            return Self.sum([a, b])
        case .call(let target, let name, let args):
            if target == nil, name == "lists.range" || name == "range", args.count == 1, case .literal(.int(let n)) = args[0].kind { return max(n, 0) }
            if name == "range", let target, Compiler.qualifiedName(target) == "lists", args.count == 1, case .literal(.int(let n)) = args[0].kind { return max(n, 0) }
            if let target, ["map", "filter", "transformList", "transformMap", "transformMapEntry", "sortBy"].contains(name) { return size(target) }
            return nil
        case .ident(let name):
            if let bound = scope.last(where: { $0.name == name }) { return bound.size }
            return nil
        case .select, .index:
            guard let (root, steps) = chain(e), let checker = environment.fieldCheckers[root] else { return nil }
            return checker.maxSize(of: CELFieldPath(root: root, segments: steps))
        default:
            return nil
        }
    }

    /// `e` as a chain rooted at a checked variable, through comprehension variables bound to an
    /// element of such a chain; nil for anything else.
    private func chain(_ e: Expr) -> (root: String, steps: [CELFieldPath.Segment])? {
        var steps: [CELFieldPath.Segment] = []
        var cur = e
        while true {
            switch cur.kind {
            case .select(let operand, let field):
                steps.append(.init(step: .field(field), text: "." + field, offset: cur.offset, length: cur.length))
                cur = operand
            case .index(let operand, let index):
                if case .literal(.string(let k)) = index.kind {
                    steps.append(.init(step: .field(k), text: "[\"\(k)\"]", offset: index.offset, length: index.length))
                } else {
                    steps.append(.init(step: .index, text: "[…]", offset: cur.offset, length: cur.length))
                }
                cur = operand
            case .ident(let name):
                if let bound = scope.last(where: { $0.name == name }) {
                    guard let element = bound.element else { return nil }
                    return (element.root, element.steps + steps.reversed())
                }
                guard environment.variables[name] != nil, environment.fieldCheckers[name] != nil else { return nil }
                return (name, steps.reversed())
            default:
                return nil
            }
        }
    }

    private static let indexStep = CELFieldPath.Segment(step: .index, text: "[…]", offset: 0, length: 0)

    private static func name(_ e: Expr) -> String? {
        if case .call(_, let name, _) = e.kind { name } else { nil }
    }

    /// The saturating sum, nil when any term is unknown.
    private static func sum(_ terms: [Int64?]) -> Int64? {
        var total: Int64 = 0
        for t in terms {
            guard let t else { return nil }
            let (s, overflow) = total.addingReportingOverflow(t)
            total = overflow ? .max : s
        }
        return total
    }
}
