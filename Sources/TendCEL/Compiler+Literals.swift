/// List and map literals, including cel-spec's optional entries: `[a, ?b]` includes the value of
/// optional `b` only when it has one, and `{?k: v}` includes the entry `k: value of v` only when
/// optional `v` has a value.
extension Compiler {
    mutating func compileList(_ elements: [Expr], _ e: Expr) -> Node {
        var isOptional: [Bool] = []
        let nodes = elements.map { element -> Node in
            if case .optionalEntry(let inner) = element.kind {
                isOptional.append(true)
                return compile(inner)
            }
            isOptional.append(false)
            return compile(element)
        }
        let offsets = elements.map(\.offset)
        let optionals = isOptional
        let build: @Sendable ([CELValue]) throws(CELError) -> CELValue = { values throws(CELError) in
            guard optionals.contains(true) else { return .list(CELList(values)) }
            var out: [CELValue] = []
            for (i, v) in values.enumerated() {
                guard optionals[i] else { out.append(v); continue }
                guard case .optional(let o) = v else {
                    throw CELError("an optional list element must be an optional, got '\(v.celType.name)'", offset: offsets[i])
                }
                if let o { out.append(o) }
            }
            return .list(CELList(out))
        }
        if nodes.allSatisfy({ $0.constant != nil }) {
            return fold(e.offset) { () throws(CELError) in try build(nodes.map { $0.constant! }) }
        }
        let evals = nodes.map(\.eval)
        return .dynamic { a throws(CELError) in
            var out: [CELValue] = []
            out.reserveCapacity(evals.count)
            for f in evals { out.append(try f(a)) }
            return try build(out)
        }
    }

    mutating func compileMap(_ entries: [(key: Expr, value: Expr)], _ e: Expr) -> Node {
        var optionals: [Bool] = []
        var keys: [Node] = []
        for entry in entries {
            if case .optionalEntry(let inner) = entry.key.kind {
                optionals.append(true)
                keys.append(compile(inner))
            } else {
                optionals.append(false)
                keys.append(compile(entry.key))
            }
        }
        let values = entries.map { compile($0.value) }
        let keyOffsets = entries.map(\.key.offset)
        let off = e.offset
        let isOptional = optionals
        let build: @Sendable ([CELValue], [CELValue]) throws(CELError) -> CELValue = { ks, vs throws(CELError) in
            var keys: [CELValue] = [], values: [CELValue] = []
            for (i, k) in ks.enumerated() {
                guard MapKey.isValidKeyType(k) else {
                    throw CELError("unsupported map key type '\(k.celType.name)'", offset: keyOffsets[i])
                }
                var v = vs[i]
                if isOptional[i] {
                    guard case .optional(let o) = v else {
                        throw CELError("an optional map entry must have an optional value, got '\(v.celType.name)'", offset: keyOffsets[i])
                    }
                    guard let o else { continue }
                    v = o
                }
                keys.append(k)
                values.append(v)
            }
            guard let m = CELMap(keys: keys, values: values) else { throw CELError("repeated key in map literal", offset: off) }
            return .map(m)
        }
        if keys.allSatisfy({ $0.constant != nil }), values.allSatisfy({ $0.constant != nil }) {
            return fold(off) { () throws(CELError) in try build(keys.map { $0.constant! }, values.map { $0.constant! }) }
        }
        let ke = keys.map(\.eval), ve = values.map(\.eval)
        return .dynamic { a throws(CELError) in
            var ks: [CELValue] = [], vs: [CELValue] = []
            for i in ke.indices {
                ks.append(try ke[i](a))
                vs.append(try ve[i](a))
            }
            return try build(ks, vs)
        }
    }

    /// `x.?f` (`index` nil) and `x[?i]`.
    mutating func compileOptionalAccess(_ operand: Expr, index: Expr?, field: String?, _ e: Expr) -> Node {
        let x = compile(operand)
        let i = index.map { compile($0) } ?? .constant(.string(field ?? ""))
        let off = e.offset
        let isIndex = index != nil
        let access: @Sendable (CELValue, CELValue) throws(CELError) -> CELValue = { v, k throws(CELError) in
            if isIndex { return try Ops.indexOptionally(v, k) }
            guard case .string(let f) = k else { return .null }
            return try Ops.selectOptionally(v, f)
        }
        if let c = x.constant, let k = i.constant { return fold(off) { () throws(CELError) in try access(c, k) } }
        let xe = x.eval, ie = i.eval
        return .dynamic { a throws(CELError) in
            let v = try xe(a), k = try ie(a)
            do throws(CELError) { return try access(v, k) } catch { throw located(error, off) }
        }
    }
}
