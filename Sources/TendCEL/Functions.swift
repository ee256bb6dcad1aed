typealias Fn1 = @Sendable (CELValue) throws(CELError) -> CELValue
typealias Fn2 = @Sendable (CELValue, CELValue) throws(CELError) -> CELValue
typealias Fn3 = @Sendable (CELValue, CELValue, CELValue) throws(CELError) -> CELValue
typealias FnN = @Sendable ([CELValue]) throws(CELError) -> CELValue

/// One function name and its overloads by argument count. Overloads by argument *type* are
/// resolved inside the implementation (a switch on the runtime values), which throws
/// "no matching overload" for types it does not accept.
struct FunctionDef: Sendable {
    var name: String
    /// Argument counts accepted in the global form `f(a, b)`.
    var globalArities: Set<Int> = []
    /// Argument counts (receiver excluded) accepted in the method form `x.f(a)`.
    var memberArities: Set<Int> = []
    /// Implementations by total argument count (the receiver, if any, first).
    var f1: Fn1?
    var f2: Fn2?
    var f3: Fn3?
    var fn: [Int: FnN] = [:]
}

/// Builds the function table.
struct FunctionTable: Sendable {
    var defs: [String: FunctionDef] = [:]

    private mutating func def(_ name: String, global: Bool, member: Bool, total: Int, _ set: (inout FunctionDef) -> Void) {
        var d = defs[name] ?? FunctionDef(name: name)
        if global { d.globalArities.insert(total) }
        if member { d.memberArities.insert(total - 1) }
        set(&d)
        defs[name] = d
    }

    mutating func add(_ name: String, global: Bool = false, member: Bool = false, _ f: @escaping Fn1) {
        def(name, global: global, member: member, total: 1) { $0.f1 = f }
    }
    mutating func add(_ name: String, global: Bool = false, member: Bool = false, _ f: @escaping Fn2) {
        def(name, global: global, member: member, total: 2) { $0.f2 = f }
    }
    mutating func add(_ name: String, global: Bool = false, member: Bool = false, _ f: @escaping Fn3) {
        def(name, global: global, member: member, total: 3) { $0.f3 = f }
    }
    mutating func add(_ name: String, arity: Int, global: Bool = false, member: Bool = false, _ f: @escaping FnN) {
        def(name, global: global, member: member, total: arity) { $0.fn[arity] = f }
    }

    /// One implementation for every argument count in `arities` (`math.greatest(1, 2, 3)`).
    mutating func addVariadic(_ name: String, global: Bool = false, member: Bool = false, arities: ClosedRange<Int>, _ f: @escaping FnN) {
        for n in arities {
            def(name, global: global, member: member, total: n) { d in
                switch n {
                case 1: d.f1 = { (a: CELValue) throws(CELError) -> CELValue in try f([a]) }
                case 2: d.f2 = { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in try f([a, b]) }
                case 3: d.f3 = { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in try f([a, b, c]) }
                default: d.fn[n] = f
                }
            }
        }
    }

    /// The standard library: CEL built-ins plus the Kubernetes string and list extensions.
    static let standard: FunctionTable = {
        var t = FunctionTable()
        t.addStrings()
        t.addLists()
        t.addConversions()
        t.addTime()
        t.addQuantity()
        t.addOptionals()
        t.addListExtensions()
        t.addSets()
        t.addMath()
        t.addEncoders()
        t.addHashes()
        t.addRegexExtensions()
        t.addNetwork()
        return t
    }()

    /// Names handled by the compiler itself (macros), for "did you mean" and arity messages.
    static let macros: [String: (global: Set<Int>, member: Set<Int>)] = [
        "has": ([1], []), "all": ([], [2, 3]), "exists": ([], [2, 3]), "exists_one": ([], [2, 3]),
        "existsOne": ([], [2, 3]), "map": ([], [2, 3]), "filter": ([], [2]),
        "transformList": ([], [3, 4]), "transformMap": ([], [3, 4]), "transformMapEntry": ([], [3, 4]),
        "optMap": ([], [2]), "optFlatMap": ([], [2]), "sortBy": ([], [2]), "cel.bind": ([3], []),
    ]

    /// Every function and macro name, for suggestions.
    static let allNames: [String] = (Array(standard.defs.keys) + Array(macros.keys)).sorted()
}

/// Argument helpers for implementations.
extension CELValue {
    var asString: String? { if case .string(let s) = self { s } else { nil } }
    var asInt: Int64? { if case .int(let i) = self { i } else { nil } }
    var asList: CELList? { if case .list(let l) = self { l } else { nil } }
}
