import TendValue

/// Selection chains (`self.metadata.labels["tier"]`): compiled into one node that walks the JSON
/// object directly, wrapping only the value it ends on, with a step-by-step fallback that
/// produces the precise error (`no such key: "labels"`) when the fast walk misses.
extension Compiler {
    struct Step {
        var key: String
        var offset: Int
        var isIndex: Bool
    }

    mutating func compileAccess(_ e: Expr) -> Node {
        var steps: [Step] = []  // outermost first
        var cur = e
        loop: while true {
            switch cur.kind {
            case .select(let operand, let field):
                if isTypeName(operand, field) { break loop }
                steps.append(Step(key: field, offset: cur.offset, isIndex: false))
                cur = operand
            case .index(let operand, let index):
                guard case .literal(.string(let k)) = index.kind else { break loop }
                steps.append(Step(key: k, offset: cur.offset, isIndex: true))
                cur = operand
            default: break loop
            }
        }
        if steps.count <= 1 {
            switch e.kind {
            case .select(let operand, let field): return compileSelect(operand, field, e)
            case .index(let operand, let index): return compileIndex(operand, index, e)
            default: return compile(e)
            }
        }
        steps.reverse()
        if !steps[0].isIndex { checkDeclaredField(cur, steps[0].key, offset: steps[0].offset) }
        let root = compile(cur)
        let path = steps
        let keys = steps.map(\.key)
        let slow: @Sendable (CELValue) throws(CELError) -> CELValue = { v throws(CELError) in
            var v = v
            for s in path {
                if case .map(let m) = v, let r = m[field: s.key] {
                    v = r
                    continue
                }
                do throws(CELError) {
                    v = s.isIndex ? try Ops.index(v, .string(s.key)) : try Ops.select(v, s.key)
                } catch {
                    throw located(error, s.offset)
                }
            }
            return v
        }
        if let c = root.constant { return fold(e.offset) { () throws(CELError) in try slow(c) } }
        let re = root.eval
        return .dynamic { a throws(CELError) in
            let r = try re(a)
            if case .map(let m) = r, case .json(let o) = m.storage, let v = Self.walk(o, keys) {
                return CELValue(v)
            }
            return try slow(r)
        }
    }

    static func walk(_ o: Value.Object, _ keys: [String]) -> Value? {
        var obj = o
        for k in keys.dropLast() {
            guard case .object(let next)? = CELMap.lookup(obj, k) else { return nil }
            obj = next
        }
        return CELMap.lookup(obj, keys[keys.count - 1])
    }

    func isTypeName(_ operand: Expr, _ field: String) -> Bool {
        guard let q = Self.qualifiedName(operand), let root = q.split(separator: ".").first else { return false }
        return !isBound(String(root)) && CELType.byName["\(q).\(field)"] != nil
    }

    /// Reports `root.field` when `root` is a declared variable with a known, closed set of fields.
    mutating func checkDeclaredField(_ operand: Expr, _ field: String, offset: Int) {
        if case .ident(let root) = operand.kind, !scope.contains(where: { $0.name == root }),
            let decl = environment.variables[root], let fields = decl.fields, !fields.contains(field)
        {
            problems.append(Problem(message: "no field '\(field)' in '\(root)'" + Suggest.didYouMean(field, fields),
                                    offset: offset, length: field.unicodeScalars.count))
        }
    }
}
