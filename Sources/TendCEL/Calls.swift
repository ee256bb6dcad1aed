/// Function calls: resolving a name and argument count to an implementation at compile time.
extension Compiler {
    mutating func compileCall(_ target: Expr?, _ name: String, _ args: [Expr], _ e: Expr) -> Node {
        // Macros.
        if let macro = FunctionTable.macros[name] {
            if target == nil, macro.global.contains(args.count), name == "has" {
                return compileHas(args[0], e)
            }
            if let target, macro.member.contains(args.count) {
                return compileComprehension(name, target, args, e)
            }
        }
        guard let def = functions.defs[name] else {
            if FunctionTable.macros[name] != nil {
                report("wrong number of arguments to '\(name)'" + (target == nil ? " (it is called as a method: list.\(name)(x, ...))" : ""), e)
            } else {
                let all = Array(functions.defs.keys) + Array(FunctionTable.macros.keys)
                report("undeclared reference to function '\(name)'" + Suggest.didYouMean(name, all), e)
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
