/// The comprehension macros `all`, `exists`, `exists_one`, `map` (2 and 3 arguments) and
/// `filter`, over a list (the variable takes each element) or a map (each key).
extension Compiler {
    enum MacroKind { case all, exists, existsOne, map, mapFilter, filter }

    /// Every member macro: the one-variable comprehensions here, the two-variable ones
    /// (Macros+TwoVariable.swift) and those binding one value (Macros+Binding.swift).
    mutating func compileMacro(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> Node {
        switch name {
        case "optMap", "optFlatMap", "sortBy": return compileBindingMacro(name, target, args, e)
        case "transformList", "transformMap", "transformMapEntry": return compileTwoVariable(name, target, args, e)
        case _ where args.count == 3 && ["all", "exists", "exists_one", "existsOne"].contains(name): return compileTwoVariable(name, target, args, e)
        default: return compileComprehension(name, target, args, e)
        }
    }

    mutating func compileComprehension(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> Node {
        let range = compile(target)
        guard case .ident(let varName) = args[0].kind else {
            report("the first argument of '\(name)' must be a variable name, like \(name)(x, ...)", args[0])
            args.dropFirst().forEach { _ = compile($0) }
            return .constant(.null)
        }
        let slot = newSlot()
        scope.append((varName, slot))
        let bodies = args.dropFirst().map { compile($0).eval }
        scope.removeLast()
        let kind: MacroKind =
            switch name {
            case "all": .all
            case "exists": .exists
            case "exists_one", "existsOne": .existsOne
            case "filter": .filter
            default: args.count == 3 ? .mapFilter : .map
            }
        let rangeEval = range.eval
        let off = e.offset
        let body = bodies[0]
        let transform = bodies.count > 1 ? bodies[1] : body
        let cost = Int64(1 + args.dropFirst().reduce(0) { $0 + $1.nodeCount })
        return .dynamic { a throws(CELError) in
            let r = try rangeEval(a)
            let items: [CELValue]
            switch r {
            case .list(let l): items = l.elements
            case .map(let m): items = m.keys
            default: throw located(CELError("'\(name)' needs a list or a map, got '\(r.celType.name)'"), off)
            }
            func predicate() throws(CELError) -> Bool {
                let v = try body(a)
                guard case .bool(let b) = v else { throw located(CELError("'\(name)' predicate returned '\(v.celType.name)', not bool"), off) }
                return b
            }
            switch kind {
            case .all, .exists:
                let decisive = kind == .exists
                var firstError: CELError?
                for x in items {
                    try a.charge(cost, at: off)
                    a[slot] = x
                    do throws(CELError) {
                        if try predicate() == decisive { return .bool(decisive) }
                    } catch {
                        if firstError == nil { firstError = error }
                    }
                }
                if let firstError { throw firstError }
                return .bool(!decisive)
            case .existsOne:
                var n = 0
                for x in items {
                    try a.charge(cost, at: off)
                    a[slot] = x
                    if try predicate() { n += 1 }
                }
                return .bool(n == 1)
            case .map, .mapFilter, .filter:
                var out: [CELValue] = []
                for x in items {
                    try a.charge(cost, at: off)
                    a[slot] = x
                    switch kind {
                    case .map: out.append(try body(a))
                    case .mapFilter: if try predicate() { out.append(try transform(a)) }
                    default: if try predicate() { out.append(x) }
                    }
                }
                return .list(CELList(out))
            }
        }
    }
}
