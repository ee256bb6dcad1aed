import Foundation
import TendValue

/// Rewrites the CEL inside kro's `${...}` for Tend: root variables are renamed (kro's `schema` is
/// Tend's `self`; `each` in a collection's `readyWhen` is the child's own id), everything else is
/// kept as written. Both use CEL with the same `${...}` templating, so the rest carries over: member
/// access, `?.` optionals, `orValue`, macros, string interpolation.
///
/// Only identifiers at the root of a path are renamed: not after `.` or `.?`, not inside string
/// literals (`'...'`, `"..."`, triple-quoted, with `\` escapes).
enum KroExpressions {
    /// `value` with every expression in its strings (and mapping keys) rewritten.
    static func rewrite(_ value: Value, renames: [String: String]) -> Value {
        switch value {
        case .string(let s): return .string(rewrite(s, renames: renames))
        case .array(let items): return .array(items.map { rewrite($0, renames: renames) })
        case .object(let o):
            var out = Value.Object(minimumCapacity: o.count)
            for (k, v) in o { out[rewrite(k, renames: renames)] = rewrite(v, renames: renames) }
            return .object(out)
        default: return value
        }
    }

    /// A string with the CEL of each `${...}` in it rewritten; text outside is unchanged.
    static func rewrite(_ text: String, renames: [String: String]) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.upperBound]
            let body = rest[start.upperBound...]
            guard let end = closingBrace(of: body) else {
                out += body
                return out
            }
            out += rewriteExpression(String(body[..<end]), renames: renames)
            out += "}"
            rest = body[body.index(after: end)...]
        }
        return out + rest
    }

    /// The `}` closing an expression that starts right after `${`: braces of map literals nest,
    /// braces in string literals do not count.
    static func closingBrace(of body: Substring) -> Substring.Index? {
        var depth = 0
        var quote: Character?
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            if let q = quote {
                if c == "\\" {
                    i = body.index(after: i)
                    if i == body.endIndex { return nil }
                } else if c == q {
                    quote = nil
                }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "{" {
                depth += 1
            } else if c == "}" {
                if depth == 0 { return i }
                depth -= 1
            }
            i = body.index(after: i)
        }
        return nil
    }

    /// One expression with its root identifiers renamed.
    static func rewriteExpression(_ expression: String, renames: [String: String]) -> String {
        let chars = Array(expression)
        var out = ""
        var i = 0
        /// The last two characters before `i` that are not spaces.
        func previous(_ i: Int) -> (Character?, Character?) {
            var j = i - 1
            while j >= 0, chars[j] == " " || chars[j] == "\n" || chars[j] == "\t" { j -= 1 }
            guard j >= 0 else { return (nil, nil) }
            var k = j - 1
            while k >= 0, chars[k] == " " || chars[k] == "\n" || chars[k] == "\t" { k -= 1 }
            return (chars[j], k >= 0 ? chars[k] : nil)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "'" || c == "\"" {
                // A string literal, triple-quoted or not, copied as is.
                let triple = i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c
                let delimiter = triple ? String(repeating: c, count: 3) : String(c)
                out += delimiter
                i += delimiter.count
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count {
                        out.append(chars[i]); out.append(chars[i + 1]); i += 2
                        continue
                    }
                    if chars[i] == c, !triple || (i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c) {
                        out += delimiter
                        i += delimiter.count
                        break
                    }
                    out.append(chars[i])
                    i += 1
                }
                continue
            }
            if c.isLetter || c == "_" {
                var j = i
                var word = ""
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { word.append(chars[j]); j += 1 }
                let (p1, p2) = previous(i)
                let isMember = p1 == "." || (p1 == "?" && p2 == ".")
                let isNumberSuffix = i > 0 && chars[i - 1].isNumber  // 1u, 2e3
                if !isMember && !isNumberSuffix {
                    out += renames[word] ?? word
                } else {
                    out += word
                }
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
