/// The load-time type checker: infers the ``CELStaticType`` of every node from the declared
/// variable types, and records a problem only where evaluation is certain to fail because of types.
///
/// Contract (no false positives): a problem is recorded only when the types that decide the
/// operation are known and no overload of the operator or function accepts them (`'a' + 1`,
/// `size(1)`, `self.spec.count > "3"` with `count` an int, `1 ? 2 : 3`, `'a'.foo` on a string,
/// `x in 'abc'`). Everything involving `dyn` is accepted; so are equality between any types,
/// ordering across int/uint/double, and `&&`/`||` unless neither side can be a bool (Tend's
/// error absorption makes `1 && false` false). Inferred types are sound: an expression inferred
/// as `T` never evaluates successfully to a value of another type. Names the compiler rejects
/// (unknown variables and functions, wrong argument counts) are `dyn` here, never reported twice;
/// selections on chains a ``CELFieldPathChecker`` judges are left to that checker.
struct TypeChecker {
    let environment: CELEnvironment
    var problems: [Compiler.Problem] = []
    /// Comprehension variables in scope, innermost last.
    var scope: [(name: String, type: CELStaticType)] = []
    /// Reads of data (selections, indexes, comprehension variables) inferred as `timestamp`: the
    /// value is an RFC 3339 string in the JSON object (a `format: date-time` field), which the
    /// compiler converts where it is read (``Compiler/timestampReads``).
    var timestampReads: Set<NodeKey> = []

    init(environment: CELEnvironment) { self.environment = environment }

    mutating func report(_ message: String, _ e: Expr) {
        problems.append(Compiler.Problem(message: message, offset: e.offset, length: e.length))
    }

    static func noOverload(_ function: String, _ types: CELStaticType...) -> String {
        "no matching overload for '\(function)' applied to (\(types.map(\.kindName).joined(separator: ", ")))"
    }

    /// The type of `e`, recording the problems found on the way.
    mutating func check(_ e: Expr) -> CELStaticType {
        let t = infer(e)
        if t == .timestamp {
            switch e.kind {
            case .select, .index: timestampReads.insert(NodeKey(e))
            case .ident(let name) where scope.contains(where: { $0.name == name }): timestampReads.insert(NodeKey(e))
            default: break
            }
        }
        return t
    }

    private mutating func infer(_ e: Expr) -> CELStaticType {
        switch e.kind {
        case .literal(let v):
            return Self.type(of: v)
        case .ident(let name):
            if let s = scope.last(where: { $0.name == name }) { return s.type }
            if let v = environment.variables[name] { return v.type }
            return CELType.byName[name] != nil ? .type : .dyn
        case .select(let operand, let field):
            if isTypeName(operand, field) { return .type }
            let t = check(operand)
            if let r = t.fieldType(field) { return r }
            if !isUncheckedSelection(operand) {
                report("type '\(t.kindName)' does not support field selection (selecting '\(field)')", e)
            }
            return .dyn
        case .index(let operand, let index):
            let t = check(operand), i = check(index)
            return checkIndex(t, i, index, e, operand)
        case .call(let target, let name, let args):
            return checkCall(target, name, args, e)
        case .unary(let op, let operand):
            let t = check(operand)
            switch (op, t) {
            case (_, .dyn): return op == .not ? .bool : .dyn
            case (.not, .bool): return .bool
            case (.negate, .int), (.negate, .double), (.negate, .duration): return t
            default:
                report(Self.noOverload(op == .not ? "!_" : "-_", t), e)
                return .dyn
            }
        case .binary(let op, let l, let r):
            // A checked chain compared with a literal is its field path checker's to report.
            let literalComparison = [.lt, .le, .gt, .ge].contains(op) && (isLiteral(l) && isCheckedChain(r) || isLiteral(r) && isCheckedChain(l))
            return checkBinary(op, check(l), check(r), e, reportOrdering: !literalComparison)
        case .conditional(let c, let t, let f):
            let ct = check(c), tt = check(t), ft = check(f)
            if ct.isKnown && ct != .bool { report(Self.noOverload("_?_:_", ct), e) }
            return .join(tt, ft)
        case .optionalSelect(let operand, _):
            _ = check(operand)
            return .dyn
        case .optionalIndex(let operand, let index):
            _ = check(operand)
            _ = check(index)
            return .dyn
        case .optionalEntry(let inner):
            _ = check(inner)
            return .dyn
        case .list(let items):
            let types = items.map { check($0) }
            return .list(types.first.map { first in types.dropFirst().reduce(first) { .join($0, $1) } } ?? .dyn)
        case .map(let entries):
            let keys = entries.map { check($0.key) }, values = entries.map { check($0.value) }
            guard let k = keys.first, let v = values.first else { return .anyMap }
            if entries.contains(where: { if case .optionalEntry = $0.key.kind { true } else { false } }) { return .anyMap }
            return .map(key: keys.dropFirst().reduce(k) { .join($0, $1) }, value: values.dropFirst().reduce(v) { .join($0, $1) })
        }
    }

    static func type(of v: CELValue) -> CELStaticType {
        switch v {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type
        case .list: .anyList
        case .map: .anyMap
        case .optional, .opaque: .dyn
        }
    }

    // MARK: Names

    func isBound(_ name: String) -> Bool {
        scope.contains { $0.name == name } || environment.variables[name] != nil
    }

    func isTypeName(_ operand: Expr, _ field: String) -> Bool {
        guard let q = Compiler.qualifiedName(operand), let root = q.split(separator: ".").first else { return false }
        return !isBound(String(root)) && CELType.byName["\(q).\(field)"] != nil
    }

    /// Whether `e` is a selection/index chain rooted at a variable whose field paths a
    /// ``CELFieldPathChecker`` judges (it reports selections on scalars itself).
    func isCheckedChain(_ e: Expr) -> Bool {
        guard let root = Self.chainRoot(e) else { return false }
        return !scope.contains { $0.name == root } && environment.fieldCheckers[root] != nil && environment.variables[root] != nil
    }

    /// Whether selecting a field on chain `e` is left unreported: the chain is judged by a field
    /// path checker, or rooted at a comprehension variable (whose fields are not checked, as
    /// docs/rules.md says).
    func isUncheckedSelection(_ e: Expr) -> Bool {
        guard let root = Self.chainRoot(e) else { return false }
        return scope.contains { $0.name == root } || isCheckedChain(e)
    }

    /// The variable a selection/index chain starts at.
    static func chainRoot(_ e: Expr) -> String? {
        var cur = e
        while true {
            switch cur.kind {
            case .select(let o, _), .index(let o, _): cur = o
            case .ident(let name): return name
            default: return nil
            }
        }
    }

    // MARK: Operators

    mutating func checkIndex(_ t: CELStaticType, _ i: CELStaticType, _ index: Expr, _ e: Expr, _ operand: Expr) -> CELStaticType {
        switch t {
        case .dyn: return .dyn
        case .list(let element):
            if i.isKnown && ![.int, .uint, .double].contains(i) {
                report(Self.noOverload("_[_]", t, i), e)
                return .dyn
            }
            return element
        case .map(_, let v): return v
        case .object:
            if case .literal(.string(let k)) = index.kind { return t.fieldType(k) ?? .dyn }
            if case .object(_, let other?) = t { return other }
            return .dyn
        default:
            // A string key on a checked chain is a field selection its checker reports.
            if case .literal(.string) = index.kind, isUncheckedSelection(operand) { return .dyn }
            report(Self.noOverload("_[_]", t, i), e)
            return .dyn
        }
    }

    func isLiteral(_ e: Expr) -> Bool {
        if case .literal = e.kind { return true }
        return false
    }

    mutating func checkBinary(_ op: BinaryOp, _ l: CELStaticType, _ r: CELStaticType, _ e: Expr, reportOrdering: Bool) -> CELStaticType {
        switch op {
        case .and, .or:
            if l.isKnown, r.isKnown, l != .bool, r != .bool { report(Self.noOverload(op.functionName, l, r), e) }
            return .bool
        case .eq, .ne:
            return .bool
        case .in:
            if r.isKnown && r.iterationType == nil { report(Self.noOverload("@in", l, r), e) }
            return .bool
        case .lt, .le, .gt, .ge:
            if reportOrdering, let a = l.kind, let b = r.kind, !Self.orderable(a, b) { report(Self.noOverload(op.functionName, l, r), e) }
            return .bool
        case .add, .sub, .mul, .div, .mod:
            guard l.isKnown, r.isKnown else { return Self.arithmeticWithDyn(op, known: l.isKnown ? l : r, knownIsLeft: l.isKnown) }
            guard let result = Self.arithmetic(op, l, r) else {
                report(Self.noOverload(op.functionName, l, r), e)
                return .dyn
            }
            return result
        }
    }

    static func orderable(_ a: CELType, _ b: CELType) -> Bool {
        let numbers: Set<CELType> = [.int, .uint, .double]
        if numbers.contains(a) && numbers.contains(b) { return true }
        return a == b && [.string, .bool, .bytes, .timestamp, .duration].contains(a)
    }

    /// The result of an arithmetic operator on two known types; nil when no overload applies.
    static func arithmetic(_ op: BinaryOp, _ l: CELStaticType, _ r: CELStaticType) -> CELStaticType? {
        switch (op, l, r) {
        case (.add, .list, .list): return .join(l, r)
        case (.add, .string, .string), (.add, .bytes, .bytes), (.add, .duration, .duration),
             (.sub, .duration, .duration), (.sub, .timestamp, .duration):
            return l
        case (.add, .timestamp, .duration), (.add, .duration, .timestamp): return .timestamp
        case (.sub, .timestamp, .timestamp): return .duration
        case (.mod, .int, .int), (.mod, .uint, .uint): return l
        case (.mod, _, _): return nil
        case (_, .int, .int), (_, .uint, .uint), (_, .double, .double): return l
        default: return nil
        }
    }

    /// The result of an arithmetic operator when one operand is `dyn`: what every overload taking
    /// `known` on that side returns, or `dyn` when they differ or none applies.
    static func arithmeticWithDyn(_ op: BinaryOp, known: CELStaticType, knownIsLeft: Bool) -> CELStaticType {
        switch (op, known) {
        case (_, .int), (_, .uint): return known
        case (.add, .double), (.sub, .double), (.mul, .double), (.div, .double): return known
        case (.add, .string), (.add, .bytes): return known
        case (.add, .list): return .anyList
        case (.add, .timestamp): return .timestamp
        case (.sub, .duration) where knownIsLeft: return .duration
        default: return .dyn
        }
    }
}
