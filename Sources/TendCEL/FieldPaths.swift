/// A chain of field selections and indexes rooted at a declared variable, as written in an
/// expression: `self.spec.items[0].name`, `self.metadata["labels"]`, the argument of `has()`.
///
/// The compiler hands every maximal chain rooted at a variable that has a ``CELFieldPathChecker``
/// to that checker (see ``CELEnvironment/checkFieldPaths(of:with:)``). Chains rooted at a
/// comprehension variable that shadows the declared one (`list.all(self, ...)`) are not handed over.
public struct CELFieldPath: Sendable {
    /// One step of the chain.
    public enum Step: Sendable, Equatable {
        /// `.name`, or `["name"]` (an index with a string literal).
        case field(String)
        /// `[expr]` with anything but a string literal: a list element or a map value.
        case index
    }

    public struct Segment: Sendable {
        public var step: Step
        /// The step as written, for messages: `.name`, `["name"]`, `[0]`, `[i]`, `[…]`.
        public var text: String
        /// The token to point at, in Unicode scalars of the expression text: the field name, the
        /// string literal, or the `[`.
        public var offset: Int
        public var length: Int
    }

    /// A literal the chain is compared with (`==`, `!=`, `<`, `<=`, `>`, `>=`).
    public struct Comparison: Sendable {
        public var literal: CELValue
        /// The literal's token in the expression text.
        public var offset: Int
        public var length: Int
    }

    /// The variable the chain starts at.
    public var root: String
    /// The steps after the root, outermost last (`self.spec.a` is `[.field("spec"), .field("a")]`).
    public var segments: [Segment]
    /// Set when one side of a comparison is exactly this chain and the other a literal.
    public var comparison: Comparison?

    /// The chain as written up to (not including) segment `index`: `self.spec.items[0]`.
    public func text(upTo index: Int) -> String {
        root + segments.prefix(index).map(\.text).joined()
    }
}

/// A problem a ``CELFieldPathChecker`` found, located in the expression text. It becomes a
/// load-time error with a caret under `offset..<offset+length`, like an unknown variable.
public struct CELFieldProblem: Sendable {
    public var message: String
    public var offset: Int
    public var length: Int

    public init(_ message: String, offset: Int, length: Int) {
        self.message = message
        self.offset = offset
        self.length = length
    }

    /// A problem pointing at segment `index` of `path`.
    public init(_ message: String, at index: Int, of path: CELFieldPath) {
        self.init(message, offset: path.segments[index].offset, length: path.segments[index].length)
    }
}

/// Checks the field paths rooted at one declared variable when an expression is compiled: the
/// hook through which a caller who knows a variable's structure (a schema) rejects paths it
/// cannot have. It must be pure and cheap; it runs once per chain at compile time, never at
/// evaluation.
public protocol CELFieldPathChecker: Sendable {
    /// The problems of `path`, or none.
    func problems(in path: CELFieldPath) -> [CELFieldProblem]

    /// The most elements (a list) or entries (a map) the value at `path` can have, when its
    /// structure declares a bound (a schema's `maxItems`, `maxProperties`); nil when unbounded or
    /// unknown. The load-time cost estimate (CostEstimate.swift) asks it of comprehension ranges.
    func maxSize(of path: CELFieldPath) -> Int64?
}

extension CELFieldPathChecker {
    /// No bounds known.
    public func maxSize(of path: CELFieldPath) -> Int64? { nil }
}

/// The walk over the parsed expression that finds field paths and asks the checkers.
extension Compiler {
    /// The variables a macro call binds for its later arguments (none when it is no macro):
    /// `x` in `list.all(x, ...)`, `k` and `v` in `map.all(k, v, ...)`, `x` in `cel.bind(x, ...)`.
    static func macroVariables(_ target: Expr?, _ name: String, _ args: [Expr]) -> [String] {
        func ident(_ i: Int) -> String? { if i < args.count, case .ident(let n) = args[i].kind { n } else { nil } }
        if name == "bind", let target, qualifiedName(target) == "cel", args.count == 3 { return ident(0).map { [$0] } ?? [] }
        guard target != nil, let macro = FunctionTable.macros[name], macro.member.contains(args.count) else { return [] }
        let twoVariables = name.hasPrefix("transform") || (["all", "exists", "exists_one", "existsOne"].contains(name) && args.count == 3)
        if twoVariables { return [ident(0), ident(1)].compactMap { $0 } }
        return ident(0).map { [$0] } ?? []
    }

    /// Hands every chain in `e` rooted at a checked, unshadowed variable to its checker.
    mutating func checkFieldPaths(_ e: Expr, shadowed: Set<String> = []) {
        switch e.kind {
        case .literal, .ident:
            break
        case .select, .index:
            visitChain(e, shadowed: shadowed, comparison: nil)
        case .call(let target, let name, let args):
            let variables = Self.macroVariables(target, name, args)
            if !variables.isEmpty {
                target.map { checkFieldPaths($0, shadowed: shadowed) }
                let bound = shadowed.union(variables)
                if name == "bind" { checkFieldPaths(args[1], shadowed: shadowed) }
                args.dropFirst(name == "bind" ? 2 : variables.count).forEach { checkFieldPaths($0, shadowed: bound) }
            } else {
                target.map { checkFieldPaths($0, shadowed: shadowed) }
                args.forEach { checkFieldPaths($0, shadowed: shadowed) }
            }
        case .unary(_, let x):
            checkFieldPaths(x, shadowed: shadowed)
        case .binary(let op, let l, let r):
            let relational: Set<BinaryOp> = [.eq, .ne, .lt, .le, .gt, .ge]
            if relational.contains(op), case .literal(let v) = r.kind, isChain(l) {
                visitChain(l, shadowed: shadowed, comparison: .init(literal: v, offset: r.offset, length: r.length))
            } else if relational.contains(op), case .literal(let v) = l.kind, isChain(r) {
                visitChain(r, shadowed: shadowed, comparison: .init(literal: v, offset: l.offset, length: l.length))
            } else {
                checkFieldPaths(l, shadowed: shadowed)
                checkFieldPaths(r, shadowed: shadowed)
            }
        case .conditional(let c, let t, let f):
            [c, t, f].forEach { checkFieldPaths($0, shadowed: shadowed) }
        case .optionalSelect(let x, _), .optionalEntry(let x):
            checkFieldPaths(x, shadowed: shadowed)
        case .optionalIndex(let x, let i):
            checkFieldPaths(x, shadowed: shadowed)
            checkFieldPaths(i, shadowed: shadowed)
        case .list(let items):
            items.forEach { checkFieldPaths($0, shadowed: shadowed) }
        case .map(let entries):
            for entry in entries {
                checkFieldPaths(entry.key, shadowed: shadowed)
                checkFieldPaths(entry.value, shadowed: shadowed)
            }
        }
    }

    private func isChain(_ e: Expr) -> Bool {
        switch e.kind {
        case .select, .index: true
        default: false
        }
    }

    /// `e` is the outermost node of a select/index chain.
    private mutating func visitChain(_ e: Expr, shadowed: Set<String>, comparison: CELFieldPath.Comparison?) {
        var segments: [CELFieldPath.Segment] = []
        var indexes: [Expr] = []
        var cur = e
        loop: while true {
            switch cur.kind {
            case .select(let operand, let field):
                segments.append(.init(step: .field(field), text: "." + field, offset: cur.offset, length: cur.length))
                cur = operand
            case .index(let operand, let index):
                if case .literal(.string(let k)) = index.kind {
                    segments.append(.init(step: .field(k), text: "[\"\(k)\"]", offset: index.offset, length: index.length))
                } else {
                    segments.append(.init(step: .index, text: "[\(Self.indexText(index))]", offset: cur.offset, length: cur.length))
                    indexes.append(index)
                }
                cur = operand
            default:
                break loop
            }
        }
        indexes.forEach { checkFieldPaths($0, shadowed: shadowed) }
        guard case .ident(let root) = cur.kind else {
            checkFieldPaths(cur, shadowed: shadowed)
            return
        }
        guard !shadowed.contains(root), environment.variables[root] != nil,
              let checker = environment.fieldCheckers[root] else { return }
        let path = CELFieldPath(root: root, segments: segments.reversed(), comparison: comparison)
        for p in checker.problems(in: path) {
            problems.append(Problem(message: p.message, offset: p.offset, length: p.length))
        }
    }

    private static func indexText(_ index: Expr) -> String {
        switch index.kind {
        case .literal(.int(let i)): "\(i)"
        case .literal(.uint(let u)): "\(u)u"
        case .ident(let name): name
        default: "…"
        }
    }
}
