internal import TendRegex

/// The Kubernetes regex library: `s.find(re)` (the first match, `""` when none) and
/// `s.findAll(re[, n])` (the non-overlapping matches, at most `n` when `n >= 0`). Patterns are
/// PCRE2 as for `matches`; a literal pattern is compiled once at load time (Calls.swift).
extension FunctionTable {
    mutating func addRegexExtensions() {
        add("find", member: true) { (s: CELValue, p: CELValue) throws(CELError) -> CELValue in
            guard case .string(let text) = s, case .string(let pattern) = p else { throw .noOverload("find", s, p) }
            return .string(try CompiledPattern(pattern).findAll(text, limit: 1).first ?? "")
        }
        add("findAll", member: true) { (s: CELValue, p: CELValue) throws(CELError) -> CELValue in
            guard case .string(let text) = s, case .string(let pattern) = p else { throw .noOverload("findAll", s, p) }
            return .list(CELList(try CompiledPattern(pattern).findAll(text, limit: -1).map { .string($0) }))
        }
        add("findAll", member: true) { (s: CELValue, p: CELValue, n: CELValue) throws(CELError) -> CELValue in
            guard case .string(let text) = s, case .string(let pattern) = p, case .int(let limit) = n else { throw .noOverload("findAll", s, p, n) }
            return .list(CELList(try CompiledPattern(pattern).findAll(text, limit: limit).map { .string($0) }))
        }
    }
}

extension CompiledPattern {
    /// The non-overlapping matches in `s`, left to right, at most `limit` of them when `limit`
    /// is not negative. After an empty match the search resumes one code point later.
    func findAll(_ s: String, limit: Int64) throws(CELError) -> [String] {
        var out: [String] = []
        let utf8 = Array(s.utf8)
        var start = 0
        while limit < 0 || out.count < limit, start <= utf8.count {
            let rest = String(decoding: utf8[start...], as: UTF8.self)
            let m: Regex.Match?
            do throws(RegexError) { m = try regex.firstMatch(in: rest) } catch { throw CELError("find: \(error.description)") }
            guard let m, let r = m.byteRanges[0] else { break }
            out.append(String(m.text))
            if r.isEmpty {
                // Step over one code point (its UTF-8 length from the lead byte).
                let at = start + r.upperBound
                guard at < utf8.count else { break }
                let lead = utf8[at]
                start = at + (lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
            } else {
                start += r.upperBound
            }
        }
        return out
    }
}
