import TendValue
import TendYAML

/// Reads one YAML document field by field, recording a located ``Diagnostic`` for every problem
/// instead of stopping at the first: a wrong type, a missing required field, an unknown field
/// (with the closest known name suggested).
///
/// Paths are ``YAMLPath``s into the parsed document; each diagnostic points at the key or value the
/// problem is about, falling back to the closest enclosing node that exists.
struct DocumentReader {
    let document: YAMLDocument
    private(set) var diagnostics: [Diagnostic] = []

    init(_ document: YAMLDocument) { self.document = document }

    var file: String { document.locations.file }

    // MARK: Locations

    /// Where the value at `path` is, or the closest existing ancestor.
    func location(_ path: YAMLPath) -> (SourceLocation, Int) {
        if let info = document.locations.info(at: path) { return (info.location, info.length) }
        if let closest = document.locations.closestInfo(to: path) {
            return (closest.info.keyLocation ?? closest.info.location, max(1, closest.info.keyLength))
        }
        return (document.location, 1)
    }

    /// Where the key of the entry at `path` is (or its value when it has no key).
    func keyLocation(_ path: YAMLPath) -> (SourceLocation, Int) {
        if let info = document.locations.info(at: path), let key = info.keyLocation { return (key, max(1, info.keyLength)) }
        return location(path)
    }

    func info(_ path: YAMLPath) -> YAMLNodeInfo? { document.locations.info(at: path) }

    mutating func error(_ message: String, at path: YAMLPath, onKey: Bool = false) {
        let (loc, len) = onKey ? keyLocation(path) : location(path)
        diagnostics.append(Diagnostic(.error, at: loc, message, length: len))
    }

    mutating func warning(_ message: String, at path: YAMLPath, onKey: Bool = false) {
        let (loc, len) = onKey ? keyLocation(path) : location(path)
        diagnostics.append(Diagnostic(.warning, at: loc, message, length: len))
    }

    mutating func add(_ diagnostics: [Diagnostic]) { self.diagnostics += diagnostics }

    mutating func removeDiagnostics(where predicate: (Diagnostic) -> Bool) { diagnostics.removeAll(where: predicate) }

    // MARK: Typed reads

    func value(_ path: YAMLPath) -> Value? {
        var current = document.value
        for c in path.components {
            switch c {
            case .key(let k):
                guard let next = current[k] else { return nil }
                current = next
            case .index(let i):
                guard let next = current[i] else { return nil }
                current = next
            }
        }
        return current
    }

    /// The object at `path`; reports unknown keys against `known` and a wrong type. Nil when absent or wrong.
    mutating func object(_ path: YAMLPath, known: [String], required: Bool = false, what: String) -> Value.Object? {
        guard let v = value(path), !v.isNull else {
            if required { error("\(what) is required", at: path, onKey: true) }
            return nil
        }
        guard case .object(let o) = v else {
            error("\(what) must be a mapping, found \(v.typeName)", at: path)
            return nil
        }
        for key in o.keys where !known.contains(key) {
            var message = "unknown field \"\(key)\" in \(what)"
            if let suggestion = Suggestion.closest(to: key, in: known) { message += " (did you mean \"\(suggestion)\"?)" }
            error(message, at: path.appending(key: key), onKey: true)
        }
        return o
    }

    mutating func array(_ path: YAMLPath, required: Bool = false, what: String) -> [Value]? {
        guard let v = value(path), !v.isNull else {
            if required { error("\(what) is required", at: path, onKey: true) }
            return nil
        }
        guard case .array(let a) = v else {
            error("\(what) must be a list, found \(v.typeName)", at: path)
            return nil
        }
        return a
    }

    mutating func string(_ path: YAMLPath, required: Bool = false, what: String) -> String? {
        guard let v = value(path), !v.isNull else {
            if required { error("\(what) is required", at: path, onKey: true) }
            return nil
        }
        guard case .string(let s) = v else {
            error("\(what) must be a string, found \(v.typeName)", at: path)
            return nil
        }
        if required && s.isEmpty { error("\(what) must not be empty", at: path) }
        return s
    }

    mutating func bool(_ path: YAMLPath, what: String) -> Bool? {
        guard let v = value(path), !v.isNull else { return nil }
        guard case .bool(let b) = v else {
            error("\(what) must be true or false, found \(v.typeName)", at: path)
            return nil
        }
        return b
    }

    mutating func stringList(_ path: YAMLPath, what: String) -> [String]? {
        guard let items = array(path, what: what) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                error("\(what) entries must be strings, found \(item.typeName)", at: path.appending(index: i))
                continue
            }
            out.append(s)
        }
        return out
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggestion {
    /// The closest candidate within a distance that scales with the word's length, or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(1, word.count / 3)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= limit, best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
