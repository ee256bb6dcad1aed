/// cel-go's `sets` extension over lists, with CEL equality (`1 == 1.0`): `sets.contains(a, b)`
/// (every element of `b` is in `a`), `sets.equivalent(a, b)` (each contains the other) and
/// `sets.intersects(a, b)` (an element in both).
extension FunctionTable {
    mutating func addSets() {
        add("sets.contains", global: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            let (x, y) = try lists("sets.contains", a, b)
            return .bool(contains(x, y))
        }
        add("sets.equivalent", global: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            let (x, y) = try lists("sets.equivalent", a, b)
            return .bool(contains(x, y) && contains(y, x))
        }
        add("sets.intersects", global: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            let (x, y) = try lists("sets.intersects", a, b)
            return .bool(y.contains { e in x.contains { Ops.equals($0, e) } })
        }
    }
}

private func lists(_ name: String, _ a: CELValue, _ b: CELValue) throws(CELError) -> (CELList, CELList) {
    guard case .list(let x) = a, case .list(let y) = b else { throw .noOverload(name, a, b) }
    return (x, y)
}

private func contains(_ x: CELList, _ y: CELList) -> Bool {
    y.allSatisfy { e in x.contains { Ops.equals($0, e) } }
}
