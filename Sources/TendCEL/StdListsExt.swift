/// cel-go's `lists` extension: `lists.range(n)`, `list.slice(from, to)`, `list.flatten([depth])`,
/// `list.sort()`, `list.sortBy(x, key)` (a macro, Macros+Binding.swift), `list.distinct()`,
/// `list.reverse()` (also on strings, reversing code points). `first()`/`last()` return optionals
/// (StdOptional.swift).
extension FunctionTable {
    mutating func addListExtensions() {
        add("lists.range", global: true) { (n: CELValue) throws(CELError) -> CELValue in
            guard case .int(let count) = n else { throw .noOverload("lists.range", n) }
            guard count <= CELCostBudget.defaultLimit else {
                throw CELError("lists.range(\(count)) exceeds the cost limit of \(CELCostBudget.defaultLimit)")
            }
            return .list(CELList(count <= 0 ? [] : (0..<count).map { .int($0) }))
        }
        add("slice", member: true) { (l: CELValue, from: CELValue, to: CELValue) throws(CELError) -> CELValue in
            guard case .list(let list) = l, case .int(let i) = from, case .int(let j) = to else { throw .noOverload("slice", l, from, to) }
            guard i >= 0, j >= 0 else { throw CELError("cannot slice(\(i), \(j)), negative indexes not supported") }
            guard i <= j else { throw CELError("cannot slice(\(i), \(j)), start index must be less than or equal to end index") }
            guard j <= list.count else { throw CELError("cannot slice(\(i), \(j)), list is length \(list.count)") }
            return .list(CELList(Array(list[Int(i)..<Int(j)])))
        }
        add("flatten", member: true) { (l: CELValue) throws(CELError) -> CELValue in try flatten(l, .int(1)) }
        add("flatten", member: true) { (l: CELValue, d: CELValue) throws(CELError) -> CELValue in try flatten(l, d) }
        add("sort", member: true) { (l: CELValue) throws(CELError) -> CELValue in
            guard case .list(let list) = l else { throw .noOverload("sort", l) }
            let values = Array(list)
            return .list(CELList(try sortedByKeys(values, values)))
        }
        add("distinct", member: true) { (l: CELValue) throws(CELError) -> CELValue in
            guard case .list(let list) = l else { throw .noOverload("distinct", l) }
            var out: [CELValue] = []
            for x in list where !out.contains(where: { Ops.equals($0, x) }) { out.append(x) }
            return .list(CELList(out))
        }
        add("reverse", member: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .list(let l): return .list(CELList(l.reversed()))
            case .string(let s): return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            default: throw .noOverload("reverse", v)
            }
        }
    }
}

private func flatten(_ l: CELValue, _ d: CELValue) throws(CELError) -> CELValue {
    guard case .list(let list) = l, case .int(let depth) = d else { throw .noOverload("flatten", l, d) }
    guard depth >= 0 else { throw CELError("level must be non-negative") }
    func walk(_ items: CELList, _ level: Int64, into out: inout [CELValue]) {
        for x in items {
            if level > 0, case .list(let inner) = x { walk(inner, level - 1, into: &out) } else { out.append(x) }
        }
    }
    var out: [CELValue] = []
    walk(list, depth, into: &out)
    return .list(CELList(out))
}
