/// `"...".format([args])` (Kubernetes strings extension): `%s`, `%d`, `%f` / `%.Nf`, `%e`, `%x`,
/// `%X`, `%o`, `%b`, `%%`.
enum Formatter {
    static func format(_ f: String, _ args: [CELValue]) throws(CELError) -> String {
        var out = ""
        var it = Array(f.unicodeScalars)[...]
        var argIndex = 0
        func next() throws(CELError) -> CELValue {
            guard argIndex < args.count else { throw CELError("format: not enough arguments for \(quoteString(f))") }
            defer { argIndex += 1 }
            return args[argIndex]
        }
        while let c = it.popFirst() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var precision: Int?
            if it.first == "." {
                it = it.dropFirst()
                var digits = ""
                while let d = it.first, d >= "0", d <= "9" { digits.unicodeScalars.append(d); it = it.dropFirst() }
                precision = Int(digits) ?? 0
            }
            guard let verb = it.popFirst() else { throw CELError("format: unterminated directive in \(quoteString(f))") }
            switch verb {
            case "%": out += "%"
            case "s":
                let v = try next()
                switch v {
                case .list, .map: out += v.celLiteral
                default: out += v.displayString
                }
            case "d":
                let v = try next()
                switch v {
                case .int(let i): out += String(i)
                case .uint(let u): out += String(u)
                default: throw CELError("format: %d requires an integer, got '\(v.celType.name)'")
                }
            case "f", "e":
                let v = try next()
                let d: Double
                switch v {
                case .double(let x): d = x
                case .int(let i): d = Double(i)
                case .uint(let u): d = Double(u)
                default: throw CELError("format: %\(verb) requires a number, got '\(v.celType.name)'")
                }
                out += verb == "f" ? fixed(d, precision ?? 6) : scientific(d, precision ?? 6)
            case "x", "X", "o", "b":
                let v = try next()
                let radix = verb == "o" ? 8 : verb == "b" ? 2 : 16
                switch v {
                case .int(let i): out += (i < 0 ? "-" : "") + String(i.magnitude, radix: radix, uppercase: verb == "X")
                case .uint(let u): out += String(u, radix: radix, uppercase: verb == "X")
                case .string(let s) where radix == 16:
                    out += s.utf8.map { String($0, radix: 16, uppercase: verb == "X").leftPad(2) }.joined()
                default: throw CELError("format: %\(verb) requires an integer, got '\(v.celType.name)'")
                }
            default: throw CELError("format: unknown directive %\(verb)")
            }
        }
        return out
    }

    static func fixed(_ d: Double, _ precision: Int) -> String {
        if !d.isFinite { return formatDouble(d) }
        let scale = pow10(precision)
        let r = (d * scale).rounded() / scale
        let neg = r < 0 || (r == 0 && d.sign == .minus && d != 0)
        let mag = abs(r)
        let whole = mag.rounded(.towardZero)
        var s = (neg ? "-" : "") + String(format0(whole))
        if precision > 0 {
            let frac = ((mag - whole) * scale).rounded()
            s += "." + String(format0(frac)).leftPad(precision)
        }
        return s
    }

    static func scientific(_ d: Double, _ precision: Int) -> String {
        if !d.isFinite || d == 0 { return d == 0 ? fixed(0, precision) + "e+00" : formatDouble(d) }
        var e = Int(abs(d).log10Floor)
        var m = d / pow10(e)
        if fixed(abs(m), precision).hasPrefix("10") { m /= 10; e += 1 }
        let es = String(abs(e)).leftPad(2)
        return fixed(m, precision) + "e" + (e < 0 ? "-" : "+") + es
    }

    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(n) { r *= 10 }
        return n < 0 ? 1 / r : r
    }

    static func format0(_ d: Double) -> String {
        if let i = Int64(exactly: d) { return String(i) }
        return formatDouble(d)
    }
}

extension Double {
    var log10Floor: Double {
        var e = 0.0
        var x = self
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return e
    }
}
