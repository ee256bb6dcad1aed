/// "did you mean" suggestions by edit distance.
enum Suggest {
    static func didYouMean<S: Sequence<String>>(_ name: String, _ candidates: S) -> String {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(name, c)
            if d <= max(1, min(name.count, c.count) / 3 + 1), d < (best?.1 ?? .max) || (d == best?.1 && c < best!.0) { best = (c, d) }
        }
        return best.map { " (did you mean '\($0.0)'?)" } ?? ""
    }

    /// The suggestion for an unknown function `name` among `functions`: the closest name, where a
    /// namespaced function also matches by its last part (`bind` suggests `cel.bind`); for an
    /// unknown function of a known namespace with no close match, the namespace's functions.
    static func function(_ name: String, _ functions: [String]) -> String {
        var best: (String, Int)?
        for c in functions {
            let last = c.split(separator: ".").last.map(String.init) ?? c
            let d = min(distance(name, c), distance(name, last))
            let limit = max(1, min(name.count, last.count) / 3 + 1)
            if d <= limit, d < (best?.1 ?? .max) || (d == best?.1 && c < best!.0) { best = (c, d) }
        }
        if let best { return " (did you mean '\(best.0)'?)" }
        // `lower` for `lowerAscii`, `upper` for `upperAscii`: a name the function's name starts with.
        if name.count >= 3, let c = functions.sorted().first(where: { ($0.split(separator: ".").last.map(String.init) ?? $0).lowercased().hasPrefix(name.lowercased()) }) {
            return " (did you mean '\(c)'?)"
        }
        if let dot = name.lastIndex(of: ".") {
            let prefix = name[...dot]
            let members = functions.filter { $0.hasPrefix(prefix) }
            if !members.isEmpty { return " (\(prefix.dropLast()) has: " + members.joined(separator: ", ") + ")" }
        }
        return ""
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        var prev = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var cur = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return x.isEmpty ? y.count : prev[y.count]
    }
}
