/// Kubernetes list extensions: `isSorted`, `sum`, `min`, `max` (`indexOf` and `lastIndexOf`
/// share their names with the string functions and are dispatched in StdStrings.swift).
extension FunctionTable {
    mutating func addLists() {
        add("isSorted", member: true) { (a: CELValue) throws(CELError) -> CELValue in
            guard case .list(let l) = a else { throw .noOverload("isSorted", a) }
            guard l.count > 1 else { return .bool(true) }
            for i in 1..<l.count {
                guard let c = try Ops.compare(l[i - 1], l[i], .lt) else { return .bool(false) }
                if c > 0 { return .bool(false) }
            }
            return .bool(true)
        }
        add("sum", member: true) { (a: CELValue) throws(CELError) -> CELValue in
            guard case .list(let l) = a else { throw .noOverload("sum", a) }
            guard var acc = l.first else { return .int(0) }
            if case .duration = acc {} else if !Ops.isNumber(acc) { throw .noOverload("sum", a) }
            for x in l.dropFirst() { acc = try Ops.add(acc, x) }
            return acc
        }
        add("min", member: true) { (a: CELValue) throws(CELError) -> CELValue in try extreme(a, min: true) }
        add("max", member: true) { (a: CELValue) throws(CELError) -> CELValue in try extreme(a, min: false) }
    }
}

private func extreme(_ a: CELValue, min: Bool) throws(CELError) -> CELValue {
    let name = min ? "min" : "max"
    guard case .list(let l) = a else { throw .noOverload(name, a) }
    guard var best = l.first else { throw CELError("\(name)() called on an empty list") }
    for x in l.dropFirst() {
        guard let c = try Ops.compare(x, best, .lt) else { continue }
        if min ? c < 0 : c > 0 { best = x }
    }
    return best
}
