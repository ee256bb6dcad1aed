/// Macros that bind one variable to one value and evaluate an expression with it:
/// `cel.bind(name, init, body)`, `opt.optMap(x, body)` and `opt.optFlatMap(x, body)` on an
/// optional, and `list.sortBy(x, key)`.
extension Compiler {
    /// `cel.bind(name, init, body)`: `body` with `name` bound to the value of `init`, which is
    /// evaluated once.
    mutating func compileBind(_ args: [Expr], _ e: Expr) -> Node {
        guard case .ident(let name) = args[0].kind else {
            report("the first argument of 'cel.bind' must be a variable name, like cel.bind(x, init, body)", args[0])
            args.dropFirst().forEach { _ = compile($0) }
            return .constant(.null)
        }
        let initial = compile(args[1])
        let slot = newSlot()
        scope.append((name, slot))
        let body = compile(args[2])
        scope.removeLast()
        if body.constant != nil { return body }
        let ie = initial.eval, be = body.eval
        return .dynamic { a throws(CELError) in
            a[slot] = try ie(a)
            return try be(a)
        }
    }

    mutating func compileBindingMacro(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> Node {
        let range = compile(target)
        guard case .ident(let variable) = args[0].kind else {
            report("the first argument of '\(name)' must be a variable name, like \(name)(x, ...)", args[0])
            _ = compile(args[1])
            return .constant(.null)
        }
        let slot = newSlot()
        scope.append((variable, slot))
        let body = compile(args[1]).eval
        scope.removeLast()
        let re = range.eval
        let off = e.offset
        let cost = Int64(1 + args[1].nodeCount)
        switch name {
        case "sortBy":
            return .dynamic { a throws(CELError) in
                let r = try re(a)
                guard case .list(let l) = r else { throw located(.noOverload("sortBy", r), off) }
                var keys: [CELValue] = []
                for x in l {
                    try a.charge(cost, at: off)
                    a[slot] = x
                    keys.append(try body(a))
                }
                do throws(CELError) {
                    return .list(CELList(try sortedByKeys(Array(l), keys)))
                } catch {
                    throw located(error, off)
                }
            }
        default:
            let flat = name == "optFlatMap"
            return .dynamic { a throws(CELError) in
                let r = try re(a)
                guard case .optional(let o) = r else { throw located(.noOverload(name, r), off) }
                guard let o else { return r }
                try a.charge(cost, at: off)
                a[slot] = o
                let v = try body(a)
                guard flat else { return .optional(v) }
                guard case .optional = v else { throw located(CELError("'optFlatMap' needs an optional result, got '\(v.celType.name)'"), off) }
                return v
            }
        }
    }
}

/// `values` ordered by `keys` (stable): the keys must all be of one orderable type.
func sortedByKeys(_ values: [CELValue], _ keys: [CELValue]) throws(CELError) -> [CELValue] {
    guard let first = keys.first else { return values }
    for k in keys {
        guard k.celType == first.celType else {
            throw CELError("sort: list elements must have the same type, got '\(first.celType.name)' and '\(k.celType.name)'")
        }
        switch k {
        case .int, .uint, .double, .bool, .string, .bytes, .timestamp, .duration: continue
        default: throw CELError("sort: '\(k.celType.name)' values cannot be ordered")
        }
    }
    var failure: CELError?
    let order = keys.indices.sorted { i, j in
        do throws(CELError) {
            let c = try Ops.compare(keys[i], keys[j], .lt) ?? 0
            return c != 0 ? c < 0 : i < j
        } catch {
            failure = error
            return i < j
        }
    }
    if let failure { throw failure }
    return order.map { values[$0] }
}
