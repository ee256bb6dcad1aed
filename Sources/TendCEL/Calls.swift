/// Function calls: resolving a name and argument count to an implementation at compile time.
extension Compiler {
    mutating func compileCall(_ target: Expr?, _ name: String, _ args: [Expr], _ e: Expr) -> Node {
        if let target, let qualified = namespacedFunction(target, name) {
            return compileCall(nil, qualified, args, e)
        }
        // Macros.
        if let macro = FunctionTable.macros[name] {
            if target == nil, macro.global.contains(args.count) {
                if name == "has" { return compileHas(args[0], e) }
                if name == "cel.bind" { return compileBind(args, e) }
            }
            if let target, macro.member.contains(args.count) {
                return compileMacro(name, target, args, e)
            }
        }
        if let target, name == "or" || name == "orValue", args.count == 1 {
            return compileOptionalOr(name, target, args[0], e)
        }
        guard let def = functions.defs[name] else {
            if let macro = FunctionTable.macros[name] {
                let isMethod = !macro.member.isEmpty
                report("wrong number of arguments to '\(name)'" + (target == nil && isMethod ? " (it is called as a method: list.\(name)(x, ...))" : ""), e)
            } else {
                report("undeclared reference to function '\(name)'" + Suggest.function(name, FunctionTable.allNames), e)
            }
            _ = target.map { compile($0) }
            args.forEach { _ = compile($0) }
            return .constant(.null)
        }
        let arities = target == nil ? def.globalArities : def.memberArities
        if arities.isEmpty {
            report(target == nil
                ? "'\(name)' is a method: call it as x.\(name)(...)"
                : "'\(name)' is a global function: call it as \(name)(x, ...), not as a method", e)
        } else if !arities.contains(args.count) {
            let expected = arities.sorted().map(String.init)
            let list = expected.count == 1 ? expected[0] : expected.dropLast().joined(separator: ", ") + " or " + expected.last!
            report("wrong number of arguments to '\(name)': got \(args.count), expected \(list)", e)
        }
        var nodes: [Node] = []
        if let target { nodes.append(compile(target)) }
        for a in args { nodes.append(compile(a)) }
        if !arities.contains(args.count) { return .constant(.null) }
        let off = e.offset

        // `matches` with a literal pattern: compile the regular expression once, now.
        if name == "matches", nodes.count == 2, case .string(let pattern)? = nodes[1].constant {
            let patternExpr = target == nil ? args[1] : args[0]
            do throws(CELError) {
                let re = try CompiledPattern(pattern)
                let se = nodes[0].eval
                return .dynamic { a throws(CELError) in
                    let v = try se(a)
                    guard case .string(let s) = v else { throw located(.noOverload("matches", v, .string(pattern)), off) }
                    do throws(CELError) { return .bool(try re.matches(s)) } catch { throw located(error, off) }
                }
            } catch {
                report(error.message, patternExpr)
                return .constant(.null)
            }
        }

        let constants = nodes.compactMap(\.constant)
        let allConstant = constants.count == nodes.count
        switch nodes.count {
        case 1:
            let f = def.f1!
            if allConstant { return fold(off) { () throws(CELError) in try f(constants[0]) } }
            let x = nodes[0].eval
            return .dynamic { a throws(CELError) in
                let v = try x(a)
                do throws(CELError) { return try f(v) } catch { throw located(error, off) }
            }
        case 2:
            let f = def.f2!
            if allConstant { return fold(off) { () throws(CELError) in try f(constants[0], constants[1]) } }
            let x = nodes[0].eval, y = nodes[1].eval
            return .dynamic { a throws(CELError) in
                let v = try x(a), w = try y(a)
                do throws(CELError) { return try f(v, w) } catch { throw located(error, off) }
            }
        case 3:
            let f = def.f3!
            if allConstant { return fold(off) { () throws(CELError) in try f(constants[0], constants[1], constants[2]) } }
            let x = nodes[0].eval, y = nodes[1].eval, z = nodes[2].eval
            return .dynamic { a throws(CELError) in
                let v = try x(a), w = try y(a), u = try z(a)
                do throws(CELError) { return try f(v, w, u) } catch { throw located(error, off) }
            }
        default:
            let f = def.fn[nodes.count]!
            if allConstant { return fold(off) { () throws(CELError) in try f(constants) } }
            let evals = nodes.map(\.eval)
            return .dynamic { a throws(CELError) in
                var vs: [CELValue] = []
                for x in evals { vs.append(try x(a)) }
                do throws(CELError) { return try f(vs) } catch { throw located(error, off) }
            }
        }
    }

    /// The full name when `target.name(...)` calls a namespaced function (`math.greatest(...)`,
    /// `optional.of(x)`, `cel.bind(...)`): `target` is a name whose root is not a variable in
    /// scope, and either the namespaced function exists or `name` is no method (so an unknown
    /// `math.foo(1)` is one error about the function, not two).
    func namespacedFunction(_ target: Expr, _ name: String) -> String? {
        guard let q = Self.qualifiedName(target), let root = q.split(separator: ".").first, !isBound(String(root)),
              CELType.byName["\(q)"] == nil else { return nil }
        let full = "\(q).\(name)"
        if functions.defs[full] != nil || FunctionTable.macros[full] != nil { return full }
        let isMethod = (functions.defs[name].map { !$0.memberArities.isEmpty } ?? false) || FunctionTable.macros[name] != nil
        return isMethod ? nil : full
    }

    /// `opt.or(other)` and `opt.orValue(default)`: the argument is evaluated only when `opt` has
    /// no value.
    mutating func compileOptionalOr(_ name: String, _ target: Expr, _ arg: Expr, _ e: Expr) -> Node {
        let x = compile(target), y = compile(arg)
        let off = e.offset
        let isOr = name == "or"
        let xe = x.eval, ye = y.eval
        let node: Node = .dynamic { a throws(CELError) in
            let v = try xe(a)
            guard case .optional(let o) = v else { throw located(.noOverload(name, v), off) }
            if let o { return isOr ? v : o }
            let w = try ye(a)
            if isOr, case .optional = w {} else if isOr { throw located(.noOverload(name, v, w), off) }
            return w
        }
        if x.constant != nil, y.constant != nil { return fold(off) { () throws(CELError) in try node.eval(Activation.make(slotCount: 0)) } }
        return node
    }

    /// `has(x.f)`: whether map `x` has key `f`, without failing when it does not.
    mutating func compileHas(_ arg: Expr, _ e: Expr) -> Node {
        guard case .select(let operand, let field) = arg.kind else {
            report("has() requires a field selection argument, like has(self.spec.replicas)", arg)
            return .constant(.null)
        }
        let x = compile(operand)
        let off = arg.offset
        if let c = x.constant { return fold(off) { () throws(CELError) in .bool(try Ops.has(c, field)) } }
        let xe = x.eval
        return .dynamic { a throws(CELError) in
            let v = try xe(a)
            do throws(CELError) { return .bool(try Ops.has(v, field)) } catch { throw located(error, off) }
        }
    }
}
