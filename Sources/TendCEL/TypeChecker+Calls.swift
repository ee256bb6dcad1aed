/// Function calls and macros in the type checker.
extension TypeChecker {
    /// One overload of a standard function: parameter types (the receiver of a method first) and
    /// result. A `dyn` parameter accepts anything, `list(dyn)` any list, `map(dyn, dyn)` any map.
    struct Signature {
        var params: [CELStaticType]
        var result: CELStaticType
        init(_ params: CELStaticType..., result: CELStaticType) {
            self.params = params
            self.result = result
        }
    }

    /// The overloads of the standard library, by name. Each function's list must include every
    /// argument type combination its implementation accepts (a superset is fine; a missing one
    /// would reject valid expressions). Functions not listed are not checked and return `dyn`.
    static let signatures: [String: [Signature]] = {
        typealias S = Signature
        func each(_ params: [CELStaticType], _ result: CELStaticType) -> [Signature] { params.map { S($0, result: result) } }
        let string = CELStaticType.string, int = CELStaticType.int, bool = CELStaticType.bool
        let list = CELStaticType.anyList, map = CELStaticType.anyMap
        var t: [String: [Signature]] = [
            "size": [S(string, result: int), S(.bytes, result: int), S(list, result: int), S(map, result: int)],
            "matches": [S(string, string, result: bool)],
            "lowerAscii": [S(string, result: string)], "upperAscii": [S(string, result: string)], "trim": [S(string, result: string)],
            "charAt": [S(string, int, result: string)],
            "indexOf": [S(list, .dyn, result: int), S(string, string, result: int), S(string, string, int, result: int)],
            "lastIndexOf": [S(list, .dyn, result: int), S(string, string, result: int), S(string, string, int, result: int)],
            "replace": [S(string, string, string, result: string), S(string, string, string, int, result: string)],
            "split": [S(string, string, result: .list(string)), S(string, string, int, result: .list(string))],
            "substring": [S(string, int, result: string), S(string, int, int, result: string)],
            "join": [S(list, result: string), S(list, string, result: string)],
            "format": [S(string, list, result: string)],
            "isSorted": [S(list, result: bool)], "sum": [S(list, result: .dyn)],
            "min": [S(list, result: .dyn)], "max": [S(list, result: .dyn)],
            "int": each([.int, .uint, .double, .string, .timestamp, .duration], int),
            "uint": each([.uint, .int, .double, .string], .uint),
            "double": each([.double, .int, .uint, .string], .double),
            "string": each([.string, .int, .uint, .double, .bool, .timestamp, .duration, .type, .bytes], string),
            "bytes": [S(.bytes, result: .bytes), S(string, result: .bytes)],
            "bool": [S(bool, result: bool), S(string, result: bool)],
            "dyn": [S(.dyn, result: .dyn)], "type": [S(.dyn, result: .type)],
            "timestamp": each([.timestamp, .string, .int], .timestamp),
            "duration": each([.duration, .string, .int], .duration),
            "quantity": [S(string, result: .dyn)], "isQuantity": [S(string, result: bool)],
        ]
        for name in ["contains", "startsWith", "endsWith"] { t[name] = [S(string, string, result: bool)] }
        for name in ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes", "getSeconds", "getMilliseconds"] {
            t[name] = [S(.timestamp, result: int), S(.timestamp, string, result: int)]
        }
        for name in ["getHours", "getMinutes", "getSeconds", "getMilliseconds"] { t[name]!.append(S(.duration, result: int)) }
        return t
    }()

    mutating func checkCall(_ target: Expr?, _ name: String, _ args: [Expr], _ e: Expr) -> CELStaticType {
        if let target, let qualified = namespacedFunction(target, name) { return checkCall(nil, qualified, args, e) }
        if let macro = FunctionTable.macros[name] {
            if target == nil, macro.global.contains(args.count), name == "has" { return checkHas(args[0]) }
            if target == nil, macro.global.contains(args.count), name == "cel.bind" { return checkBind(args) }
            if let target, macro.member.contains(args.count) {
                switch name {
                case "optMap", "optFlatMap", "sortBy": return checkBindingMacro(name, target, args)
                case "transformList", "transformMap", "transformMapEntry": return checkTwoVariable(name, target, args, e)
                case _ where args.count == 3 && ["all", "exists", "exists_one", "existsOne"].contains(name): return checkTwoVariable(name, target, args, e)
                default: return checkComprehension(name, target, args, e)
                }
            }
        }
        var types: [CELStaticType] = []
        if let target { types.append(check(target)) }
        for a in args { types.append(check(a)) }
        // Unknown names and wrong argument counts are the compiler's to report.
        guard let def = FunctionTable.standard.defs[name],
              (target == nil ? def.globalArities : def.memberArities).contains(args.count),
              let overloads = Self.signatures[name] else { return .dyn }
        let matching = overloads.filter { s in s.params.count == types.count && zip(s.params, types).allSatisfy { $0.accepts($1) } }
        guard let first = matching.first else {
            report("no matching overload for '\(name)' applied to (\(types.map(\.kindName).joined(separator: ", ")))", e)
            return .dyn
        }
        if name == "min" || name == "max", case .list(let element) = types[0] { return element }
        return matching.dropFirst().reduce(first.result) { $0 == $1.result ? $0 : .dyn }
    }

    /// The compiler's resolution of `target.name(...)` to a namespaced function (Calls.swift).
    func namespacedFunction(_ target: Expr, _ name: String) -> String? {
        guard let q = Compiler.qualifiedName(target), let root = q.split(separator: ".").first, !isBound(String(root)),
              CELType.byName[q] == nil else { return nil }
        let full = "\(q).\(name)"
        if FunctionTable.standard.defs[full] != nil || FunctionTable.macros[full] != nil { return full }
        let isMethod = (FunctionTable.standard.defs[name].map { !$0.memberArities.isEmpty } ?? false) || FunctionTable.macros[name] != nil
        return isMethod ? nil : full
    }

    /// `cel.bind(x, init, body)`: the body's type, with `x` of the initializer's type.
    mutating func checkBind(_ args: [Expr]) -> CELStaticType {
        let initial = check(args[1])
        guard case .ident(let name) = args[0].kind else { return .dyn }
        scope.append((name, initial))
        defer { scope.removeLast() }
        return check(args[2])
    }

    /// `optMap`, `optFlatMap` (the variable is `dyn`: optionals have no static type here) and
    /// `sortBy` (the range's type).
    mutating func checkBindingMacro(_ name: String, _ target: Expr, _ args: [Expr]) -> CELStaticType {
        let range = check(target)
        let element: CELStaticType = if name == "sortBy", case .list(let t) = range { t } else { .dyn }
        if case .ident(let v) = args[0].kind { scope.append((v, element)) } else { scope.append(("", .dyn)) }
        _ = check(args[1])
        scope.removeLast()
        return name == "sortBy" && range.isKnown ? range : .dyn
    }

    /// The two-variable comprehensions: the variables are a list's index and element or a map's
    /// key and value.
    mutating func checkTwoVariable(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> CELStaticType {
        let range = check(target)
        var first = CELStaticType.dyn, second = CELStaticType.dyn
        switch range {
        case .list(let t): (first, second) = (.int, t)
        case .map(let k, let v): (first, second) = (k, v)
        case .object(_, let other): (first, second) = (.string, other ?? .dyn)
        case .dyn: break
        default: report("'\(name)' needs a list or a map, got '\(range.kindName)'", e)
        }
        let names = args.prefix(2).map { if case .ident(let n) = $0.kind { n } else { "" } }
        scope.append((names[0], first))
        scope.append((names[1], second))
        let bodies = args.dropFirst(2).map { check($0) }
        scope.removeLast(2)
        switch name {
        case "transformList": return .list(bodies.last!)
        case "transformMap": return .map(key: first, value: bodies.last!)
        case "transformMapEntry": return .anyMap
        default: return .bool
        }
    }

    /// `has(x.f)`: a bool; `x` must be a map.
    mutating func checkHas(_ arg: Expr) -> CELStaticType {
        guard case .select(let operand, let field) = arg.kind else { return .bool }  // the compiler reports it
        let t = check(operand)
        if t.fieldType(field) == nil && !isUncheckedSelection(operand) {
            report("has() requires a map, got '\(t.kindName)' (testing '\(field)')", arg)
        }
        return .bool
    }

    /// `all`, `exists`, `exists_one` (bool), `map` (a list of the transform's type) and `filter`
    /// (a list of the range's element type). The variable takes the range's element type (a map's
    /// key type). Predicates are not required to be bool here: over an empty range they are never
    /// evaluated, so a wrong one is not certain to fail.
    mutating func checkComprehension(_ name: String, _ target: Expr, _ args: [Expr], _ e: Expr) -> CELStaticType {
        let range = check(target)
        guard case .ident(let variable) = args[0].kind else {
            args.dropFirst().forEach { _ = check($0) }
            return .dyn
        }
        let element = range.iterationType
        if element == nil { report("'\(name)' needs a list or a map, got '\(range.kindName)'", e) }
        scope.append((variable, element ?? .dyn))
        let bodies = args.dropFirst().map { check($0) }
        scope.removeLast()
        switch name {
        case "map": return .list(bodies.last!)
        case "filter": return .list(element ?? .dyn)
        default: return .bool
        }
    }
}
