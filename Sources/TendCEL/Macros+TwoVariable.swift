/// The two-variable comprehensions of cel-go's `TwoVarComprehensions` library: `all(i, v, p)`,
/// `exists(i, v, p)`, `existsOne(i, v, p)` (also spelled `exists_one`), `transformList(i, v,
/// [filter,] t)`, `transformMap(i, v, [filter,] t)` and `transformMapEntry(i, v, [filter,] entry)`.
///
/// Over a list the first variable takes each index and the second each element; over a map, each
/// key and its value. `transformMap` keeps the keys (a list's indices) and maps the values;
/// `transformMapEntry` builds the result from one-entry maps and fails on a repeated key.
extension Compiler {
    enum TwoVariableKind { case all, exists, existsOne, transformList, transformMap, transformMapEntry }

    mutating func compileTwoVariable(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> Node {
        let range = compile(target)
        guard case .ident(let first) = args[0].kind, case .ident(let second) = args[1].kind else {
            report("the first two arguments of '\(name)' must be variable names, like \(name)(k, v, ...)", args[0])
            args.dropFirst(2).forEach { _ = compile($0) }
            return .constant(.null)
        }
        if first == second {
            report("'\(name)' needs two different variable names", args[1])
        }
        let firstSlot = newSlot(), secondSlot = newSlot()
        scope.append((first, firstSlot))
        scope.append((second, secondSlot))
        let bodies = args.dropFirst(2).map { compile($0).eval }
        scope.removeLast(2)
        let kind: TwoVariableKind =
            switch name {
            case "all": .all
            case "exists": .exists
            case "exists_one", "existsOne": .existsOne
            case "transformList": .transformList
            case "transformMap": .transformMap
            default: .transformMapEntry
            }
        let rangeEval = range.eval
        let off = e.offset
        let filter = bodies.count == 2 ? bodies[0] : nil
        let body = bodies[bodies.count - 1]
        let cost = Int64(1 + args.dropFirst(2).reduce(0) { $0 + $1.nodeCount })
        return .dynamic { a throws(CELError) in
            let r = try rangeEval(a)
            let pairs: [(CELValue, CELValue)]
            switch r {
            case .list(let l): pairs = l.enumerated().map { (.int(Int64($0.offset)), $0.element) }
            case .map(let m): pairs = Array(m)
            default: throw located(CELError("'\(name)' needs a list or a map, got '\(r.celType.name)'"), off)
            }
            func bool(_ f: Eval) throws(CELError) -> Bool {
                let v = try f(a)
                guard case .bool(let b) = v else { throw located(CELError("'\(name)' predicate returned '\(v.celType.name)', not bool"), off) }
                return b
            }
            switch kind {
            case .all, .exists:
                let decisive = kind == .exists
                var firstError: CELError?
                for (k, v) in pairs {
                    try a.charge(cost, at: off)
                    a[firstSlot] = k
                    a[secondSlot] = v
                    do throws(CELError) {
                        if try bool(body) == decisive { return .bool(decisive) }
                    } catch {
                        if firstError == nil { firstError = error }
                    }
                }
                if let firstError { throw firstError }
                return .bool(!decisive)
            case .existsOne:
                var n = 0
                for (k, v) in pairs {
                    try a.charge(cost, at: off)
                    a[firstSlot] = k
                    a[secondSlot] = v
                    if try bool(body) { n += 1 }
                }
                return .bool(n == 1)
            case .transformList, .transformMap, .transformMapEntry:
                var keys: [CELValue] = [], values: [CELValue] = []
                for (k, v) in pairs {
                    try a.charge(cost, at: off)
                    a[firstSlot] = k
                    a[secondSlot] = v
                    if let filter, try !bool(filter) { continue }
                    let x = try body(a)
                    switch kind {
                    case .transformList: values.append(x)
                    case .transformMap:
                        keys.append(k)
                        values.append(x)
                    default:
                        guard case .map(let entry) = x else {
                            throw located(CELError("'transformMapEntry' needs a map for each entry, got '\(x.celType.name)'"), off)
                        }
                        for (ek, ev) in entry {
                            keys.append(ek)
                            values.append(ev)
                        }
                    }
                }
                if kind == .transformList { return .list(CELList(values)) }
                guard let m = CELMap(keys: keys, values: values) else {
                    throw located(CELError("'\(name)' produced a repeated key"), off)
                }
                return .map(m)
            }
        }
    }
}
