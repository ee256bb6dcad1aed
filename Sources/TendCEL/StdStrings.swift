internal import TendRegex

/// String functions: CEL built-ins (`contains`, `startsWith`, `endsWith`, `matches`, `size`) and
/// the Kubernetes string extensions (`lowerAscii`, `upperAscii`, `trim`, `split`, `join`, `replace`,
/// `substring`, `indexOf`, `lastIndexOf`, `charAt`, `format`) and cel-go's `strings.quote`. Indices count Unicode code points.
extension FunctionTable {
    mutating func addStrings() {
        add("size", global: true, member: true) { (v: CELValue) throws(CELError) -> CELValue in
            switch v {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .bytes(let b): return .int(Int64(b.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw .noOverload("size", v)
            }
        }
        add("contains", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .string(let t) = b else { throw .noOverload("contains", a, b) }
            return .bool(t.isEmpty || s.unicodeScalars.firstRange(of: t.unicodeScalars) != nil)
        }
        add("startsWith", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .string(let t) = b else { throw .noOverload("startsWith", a, b) }
            return .bool(s.unicodeScalars.starts(with: t.unicodeScalars))
        }
        add("endsWith", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .string(let t) = b else { throw .noOverload("endsWith", a, b) }
            return .bool(s.unicodeScalars.reversed().starts(with: t.unicodeScalars.reversed()))
        }
        add("matches", global: true, member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .string(let p) = b else { throw .noOverload("matches", a, b) }
            return .bool(try CompiledPattern(p).matches(s))
        }
        add("lowerAscii", member: true) { (a: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a else { throw .noOverload("lowerAscii", a) }
            return .string(String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self))
        }
        add("upperAscii", member: true) { (a: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a else { throw .noOverload("upperAscii", a) }
            return .string(String(decoding: s.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self))
        }
        add("trim", member: true) { (a: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a else { throw .noOverload("trim", a) }
            let u = s.unicodeScalars
            guard let first = u.firstIndex(where: { !$0.properties.isWhitespace }) else { return .string("") }
            let last = u.lastIndex(where: { !$0.properties.isWhitespace })!
            return .string(String(u[first...last]))
        }
        add("charAt", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .int(let i) = b else { throw .noOverload("charAt", a, b) }
            let u = Array(s.unicodeScalars)
            guard i >= 0, i <= u.count else { throw CELError("index out of range: \(i)") }
            return .string(i == u.count ? "" : String(u[Int(i)]))
        }
        add("indexOf", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            if case .list(let l) = a { return .int(Int64(l.firstIndex { Ops.equals($0, b) } ?? -1)) }
            return try stringIndexOf(a, b, .int(0), last: false)
        }
        add("indexOf", member: true) { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in
            try stringIndexOf(a, b, c, last: false)
        }
        add("lastIndexOf", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            if case .list(let l) = a { return .int(Int64(l.lastIndex { Ops.equals($0, b) } ?? -1)) }
            return try stringIndexOf(a, b, nil, last: true)
        }
        add("lastIndexOf", member: true) { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in
            try stringIndexOf(a, b, c, last: true)
        }
        add("replace", member: true) { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in
            try replace([a, b, c, .int(-1)])
        }
        add("replace", arity: 4, member: true) { (args: [CELValue]) throws(CELError) -> CELValue in try replace(args) }
        add("split", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            try split(a, b, .int(-1))
        }
        add("split", member: true) { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in
            try split(a, b, c)
        }
        add("substring", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .int(let i) = b else { throw .noOverload("substring", a, b) }
            return try substring(s, i, nil)
        }
        add("substring", member: true) { (a: CELValue, b: CELValue, c: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = a, case .int(let i) = b, case .int(let j) = c else { throw .noOverload("substring", a, b, c) }
            return try substring(s, i, j)
        }
        add("join", member: true) { (a: CELValue) throws(CELError) -> CELValue in try join(a, .string("")) }
        add("join", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in try join(a, b) }
        add("strings.quote", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("strings.quote", v) }
            return .string(quoteForCEL(s))
        }
        add("format", member: true) { (a: CELValue, b: CELValue) throws(CELError) -> CELValue in
            guard case .string(let f) = a, case .list(let l) = b else { throw .noOverload("format", a, b) }
            return .string(try Formatter.format(f, Array(l)))
        }
    }
}

/// `strings.quote`: `s` in double quotes with `\a \b \f \n \r \t \v \\ \"` escaped, as cel-go
/// writes it; other characters, printable or not, as they are.
func quoteForCEL(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

private func stringIndexOf(_ a: CELValue, _ b: CELValue, _ c: CELValue?, last: Bool) throws(CELError) -> CELValue {
    let name = last ? "lastIndexOf" : "indexOf"
    guard case .string(let s) = a, case .string(let t) = b else { throw .noOverload(name, a, b) }
    let u = Array(s.unicodeScalars), n = Array(t.unicodeScalars)
    var offset: Int64
    if let c {
        guard case .int(let o) = c else { throw .noOverload(name, a, b, c) }
        guard o >= 0, o <= u.count else { throw CELError("index out of range: \(o)") }
        offset = o
    } else {
        offset = Int64(u.count)
    }
    if n.count > u.count { return .int(-1) }
    if last {
        var i = min(Int(offset), u.count - n.count)
        while i >= 0 {
            if u[i..<(i + n.count)].elementsEqual(n) { return .int(Int64(i)) }
            i -= 1
        }
    } else {
        var i = Int(offset)
        while i + n.count <= u.count {
            if u[i..<(i + n.count)].elementsEqual(n) { return .int(Int64(i)) }
            i += 1
        }
    }
    return .int(-1)
}

private func replace(_ args: [CELValue]) throws(CELError) -> CELValue {
    guard case .string(let s) = args[0], case .string(let old) = args[1], case .string(let new) = args[2],
        case .int(var n) = args[3]
    else { throw CELError.noOverload("replace", args[0], args[1], args[2]) }
    if n == 0 { return args[0] }
    let u = Array(s.unicodeScalars), o = Array(old.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i <= u.count {
        if n != 0, i + o.count <= u.count, u[i..<(i + o.count)].elementsEqual(o) {
            out.append(contentsOf: new.unicodeScalars)
            if o.isEmpty {
                if i < u.count { out.append(u[i]) }
                i += 1
            } else {
                i += o.count
            }
            n -= 1
        } else {
            if i < u.count { out.append(u[i]) }
            i += 1
        }
    }
    return .string(String(out))
}

private func split(_ a: CELValue, _ b: CELValue, _ c: CELValue) throws(CELError) -> CELValue {
    guard case .string(let s) = a, case .string(let sep) = b, case .int(let n) = c else { throw .noOverload("split", a, b, c) }
    if n == 0 { return .list(CELList([])) }
    let u = Array(s.unicodeScalars), p = Array(sep.unicodeScalars)
    var parts: [CELValue] = []
    if p.isEmpty {
        for (i, x) in u.enumerated() {
            if n > 0, parts.count == n - 1 {
                parts.append(.string(String(String.UnicodeScalarView(u[i...]))))
                break
            }
            parts.append(.string(String(x)))
        }
        return .list(CELList(parts))
    }
    var start = 0, i = 0
    while i + p.count <= u.count {
        if n > 0, parts.count == n - 1 { break }
        if u[i..<(i + p.count)].elementsEqual(p) {
            parts.append(.string(String(String.UnicodeScalarView(u[start..<i]))))
            i += p.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(.string(String(String.UnicodeScalarView(u[start...]))))
    return .list(CELList(parts))
}

private func substring(_ s: String, _ i: Int64, _ j: Int64?) throws(CELError) -> CELValue {
    let u = Array(s.unicodeScalars)
    let end = j ?? Int64(u.count)
    guard i >= 0, i <= u.count else { throw CELError("index out of range: \(i)") }
    guard end >= 0, end <= u.count else { throw CELError("index out of range: \(end)") }
    guard i <= end else { throw CELError("invalid substring range. start: \(i), end: \(end)") }
    return .string(String(String.UnicodeScalarView(u[Int(i)..<Int(end)])))
}

private func join(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
    guard case .list(let l) = a, case .string(let sep) = b else { throw .noOverload("join", a, b) }
    var parts: [String] = []
    for x in l {
        guard case .string(let s) = x else { throw CELError("join: list element is '\(x.celType.name)', not string") }
        parts.append(s)
    }
    return .string(parts.joined(separator: sep))
}

/// A regular expression compiled for `matches`: compiled once when the pattern is a literal
/// (at compile time), otherwise on each call.
struct CompiledPattern: Sendable {
    let regex: Regex

    init(_ pattern: String) throws(CELError) {
        do throws(RegexError) {
            regex = try Regex(pattern)
        } catch {
            throw CELError("invalid regular expression \(quoteString(pattern)): \(error.message) at offset \(error.offset)")
        }
    }

    func matches(_ s: String) throws(CELError) -> Bool {
        do throws(RegexError) {
            return try regex.matches(s)
        } catch {
            throw CELError("matches: \(error.description)")
        }
    }
}
