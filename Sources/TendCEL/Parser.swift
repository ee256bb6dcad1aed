/// Recursive-descent parser for the CEL grammar (cel-spec `doc/langdef.md`):
///
/// ```
/// Expr           = ConditionalOr ["?" ConditionalOr ":" Expr] ;
/// ConditionalOr  = [ConditionalOr "||"] ConditionalAnd ;
/// ConditionalAnd = [ConditionalAnd "&&"] Relation ;
/// Relation       = [Relation Relop] Addition ;          Relop = < <= >= > == != in
/// Addition       = [Addition ("+" | "-")] Multiplication ;
/// Multiplication = [Multiplication ("*" | "/" | "%")] Unary ;
/// Unary          = Member | "!" {"!"} Member | "-" {"-"} Member ;
/// Member         = Primary | Member "." ["?"] IDENT ["(" [ExprList] ")"] | Member "[" ["?"] Expr "]" ;
/// Primary        = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")" | "[" [ListElems] [","] "]"
///                | "{" [MapInits] [","] "}" | LITERAL ;
/// ListElems      = ["?"] Expr {"," ["?"] Expr} ;            MapInits = ["?"] Expr ":" Expr {...} ;
/// ```
///
/// The `?` forms are cel-spec's optional syntax (`a.?b`, `m[?k]`, `[?x]`, `{?k: x}`).
struct Parser {
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]
    /// Nesting limit, so a hostile expression cannot overflow the stack. Operators in a chain
    /// (`a + b + c`, `!!x`, `a.b.c`, `a[0][1]`) count as nesting too: the tree they build is as deep
    /// as the chain is long, and the compiler walks it recursively.
    static let maxDepth = 250

    var tokens: [Token]
    var p = 0
    var depth = 0

    /// Parses `text` into an expression tree.
    static func parse(_ text: String) throws(SyntaxError) -> Expr {
        var lexer = Lexer(text)
        var parser = Parser(tokens: try lexer.all())
        let e = try parser.expr()
        let t = parser.tok
        if t.kind != .eof {
            throw SyntaxError(message: "unexpected \(describe(t)) after the end of the expression", offset: t.offset, length: t.length)
        }
        return e
    }

    static func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: "end of expression"
        case .punct(let p): "'\(p)'"
        case .ident(let s): "'\(s)'"
        default: t.text
        }
    }

    var tok: Token { tokens[p] }

    func isPunct(_ s: String) -> Bool { tok.kind == .punct(s) }

    mutating func accept(_ s: String) -> Bool {
        if isPunct(s) { p += 1; return true }
        return false
    }

    mutating func expect(_ s: String, _ context: String) throws(SyntaxError) {
        guard accept(s) else {
            throw SyntaxError(message: "expected '\(s)' \(context), found \(Self.describe(tok))", offset: tok.offset, length: tok.length)
        }
    }

    /// One more level of nesting at `token`; callers restore `depth` when they return.
    mutating func nest(at token: Token) throws(SyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw SyntaxError(message: "expression nested too deeply", offset: token.offset) }
    }

    mutating func expr() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        try nest(at: tok)
        let cond = try or()
        guard isPunct("?") else { return cond }
        let q = tok
        p += 1
        let a = try or()
        try expect(":", "in conditional expression")
        let b = try expr()
        return Expr(kind: .conditional(cond, a, b), offset: q.offset, length: 1)
    }

    mutating func or() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try and()
        while isPunct("||") {
            let t = tok
            try nest(at: t)
            p += 1
            e = Expr(kind: .binary(.or, e, try and()), offset: t.offset, length: 2)
        }
        return e
    }

    mutating func and() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try relation()
        while isPunct("&&") {
            let t = tok
            try nest(at: t)
            p += 1
            e = Expr(kind: .binary(.and, e, try relation()), offset: t.offset, length: 2)
        }
        return e
    }

    mutating func relation() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try addition()
        while true {
            let t = tok
            let op: BinaryOp
            switch t.kind {
            case .punct("=="): op = .eq
            case .punct("!="): op = .ne
            case .punct("<"): op = .lt
            case .punct("<="): op = .le
            case .punct(">"): op = .gt
            case .punct(">="): op = .ge
            case .ident("in"): op = .in
            default: return e
            }
            try nest(at: t)
            p += 1
            e = Expr(kind: .binary(op, e, try addition()), offset: t.offset, length: t.length)
        }
    }

    mutating func addition() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try multiplication()
        while isPunct("+") || isPunct("-") {
            let t = tok
            try nest(at: t)
            p += 1
            e = Expr(kind: .binary(isPunctKind(t, "+") ? .add : .sub, e, try multiplication()), offset: t.offset, length: 1)
        }
        return e
    }

    func isPunctKind(_ t: Token, _ s: String) -> Bool { t.kind == .punct(s) }

    mutating func multiplication() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try unary()
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let t = tok
            try nest(at: t)
            p += 1
            let op: BinaryOp = isPunctKind(t, "*") ? .mul : isPunctKind(t, "/") ? .div : .mod
            e = Expr(kind: .binary(op, e, try unary()), offset: t.offset, length: 1)
        }
        return e
    }

    mutating func unary() throws(SyntaxError) -> Expr {
        if isPunct("!") || isPunct("-") {
            let outer = depth
            defer { depth = outer }
            var ops: [Token] = []
            let isNot = isPunct("!")
            while isNot ? isPunct("!") : isPunct("-") {
                try nest(at: tok)
                ops.append(tok)
                p += 1
            }
            // `-9223372036854775808` is a literal, not the negation of an out-of-range literal.
            var e: Expr
            if !isNot, case .int(let mag) = tok.kind, !nextIsMemberSuffix() {
                let t = tok
                p += 1
                let first = ops.removeLast()
                if mag > UInt64(Int64.max) + 1 {
                    throw SyntaxError(message: "integer literal out of range", offset: t.offset, length: t.length)
                }
                let v: Int64 = mag == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mag)
                e = Expr(kind: .literal(.int(v)), offset: first.offset, length: t.offset + t.length - first.offset)
            } else {
                e = try member()
            }
            for t in ops.reversed() {
                e = Expr(kind: .unary(isNot ? .not : .negate, e), offset: t.offset, length: 1)
            }
            return e
        }
        return try member()
    }

    /// Whether the token after the current one continues a member expression (`-1.foo()`).
    func nextIsMemberSuffix() -> Bool {
        let n = tokens[min(p + 1, tokens.count - 1)]
        return n.kind == .punct(".") || n.kind == .punct("[")
    }

    mutating func member() throws(SyntaxError) -> Expr {
        let outer = depth
        defer { depth = outer }
        var e = try primary()
        while true {
            if isPunct(".") || isPunct("[") { try nest(at: tok) }
            if isPunct(".") {
                p += 1
                let optional = accept("?")
                let t = tok
                if case .quotedIdent(let name) = t.kind {
                    p += 1
                    e = Expr(kind: optional ? .optionalSelect(e, name) : .select(e, name), offset: t.offset, length: t.length)
                    continue
                }
                guard case .ident(let name) = t.kind else {
                    throw SyntaxError(message: "expected a field or method name after '.', found \(Self.describe(t))", offset: t.offset, length: t.length)
                }
                // Reserved words are valid field names after '.' (`self.metadata.namespace`), as in
                // current cel-spec and the Kubernetes CEL environment; they stay reserved as identifiers.
                p += 1
                if optional {
                    e = Expr(kind: .optionalSelect(e, name), offset: t.offset, length: t.length)
                } else if isPunct("(") {
                    p += 1
                    let args = try exprList(close: ")")
                    e = Expr(kind: .call(target: e, name: name, args: args), offset: t.offset, length: t.length)
                } else {
                    e = Expr(kind: .select(e, name), offset: t.offset, length: t.length)
                }
            } else if isPunct("[") {
                let t = tok
                p += 1
                let optional = accept("?")
                let index = try expr()
                try expect("]", "to close the index")
                e = Expr(kind: optional ? .optionalIndex(e, index) : .index(e, index), offset: t.offset, length: 1)
            } else if isPunct("{"), case .ident = e.kind {
                throw SyntaxError(message: "message construction is not supported", offset: tok.offset)
            } else {
                return e
            }
        }
    }

    mutating func exprList(close: String) throws(SyntaxError) -> [Expr] {
        var args: [Expr] = []
        if accept(close) { return args }
        while true {
            args.append(close == "]" ? try optionalEntry() : try expr())
            if accept(close) { return args }
            try expect(",", "or '\(close)' in list")
            if close == "]", accept(close) { return args }  // trailing comma in list literals
        }
    }

    /// An element of a list literal or a key of a map literal: `expr` or `?expr`.
    mutating func optionalEntry() throws(SyntaxError) -> Expr {
        guard isPunct("?") else { return try expr() }
        let q = tok
        p += 1
        return Expr(kind: .optionalEntry(try expr()), offset: q.offset, length: 1)
    }

    mutating func primary() throws(SyntaxError) -> Expr {
        let t = tok
        switch t.kind {
        case .int(let mag):
            p += 1
            guard mag <= UInt64(Int64.max) else {
                throw SyntaxError(message: "integer literal out of range", offset: t.offset, length: t.length)
            }
            return Expr(kind: .literal(.int(Int64(mag))), offset: t.offset, length: t.length)
        case .uint(let v):
            p += 1
            return Expr(kind: .literal(.uint(v)), offset: t.offset, length: t.length)
        case .double(let d):
            p += 1
            return Expr(kind: .literal(.double(d)), offset: t.offset, length: t.length)
        case .string(let s):
            p += 1
            return Expr(kind: .literal(.string(s)), offset: t.offset, length: t.length)
        case .bytes(let b):
            p += 1
            return Expr(kind: .literal(.bytes(b)), offset: t.offset, length: t.length)
        case .ident(let name):
            p += 1
            switch name {
            case "true": return Expr(kind: .literal(.bool(true)), offset: t.offset, length: t.length)
            case "false": return Expr(kind: .literal(.bool(false)), offset: t.offset, length: t.length)
            case "null": return Expr(kind: .literal(.null), offset: t.offset, length: t.length)
            case "in": throw SyntaxError(message: "unexpected 'in'; expected an expression", offset: t.offset, length: t.length)
            default: break
            }
            if Self.reserved.contains(name) {
                throw SyntaxError(message: "reserved identifier '\(name)' cannot be used", offset: t.offset, length: t.length)
            }
            if isPunct("(") {
                p += 1
                let args = try exprList(close: ")")
                return Expr(kind: .call(target: nil, name: name, args: args), offset: t.offset, length: t.length)
            }
            return Expr(kind: .ident(name), offset: t.offset, length: t.length)
        case .punct("."):
            // Leading dot: root-scoped identifier.
            p += 1
            guard case .ident = tok.kind else {
                throw SyntaxError(message: "expected an identifier after '.', found \(Self.describe(tok))", offset: tok.offset, length: tok.length)
            }
            return try primary()
        case .punct("("):
            p += 1
            let e = try expr()
            try expect(")", "to close '('")
            return e
        case .punct("["):
            p += 1
            let elems = try exprList(close: "]")
            return Expr(kind: .list(elems), offset: t.offset, length: 1)
        case .punct("{"):
            p += 1
            var entries: [(key: Expr, value: Expr)] = []
            if !accept("}") {
                while true {
                    let k = try optionalEntry()
                    try expect(":", "after map key")
                    let v = try expr()
                    entries.append((k, v))
                    if accept("}") { break }
                    try expect(",", "or '}' in map literal")
                    if accept("}") { break }
                }
            }
            return Expr(kind: .map(entries), offset: t.offset, length: 1)
        case .eof:
            throw SyntaxError(message: "unexpected end of expression", offset: t.offset, length: 1)
        default:
            throw SyntaxError(message: "unexpected \(Self.describe(t)); expected an expression", offset: t.offset, length: t.length)
        }
    }
}
