public import TendCEL
public import TendValue

/// A YAML value whose string scalars may hold `${...}` expressions, compiled once.
///
/// Subtrees without expressions are kept as literal values, so evaluating a mostly static template
/// costs only the expressions it has.
public indirect enum TemplateNode: Sendable {
    case literal(Value)
    case template(CELTemplate)
    /// Entries in order; a key may itself be a template.
    case object([(key: Key, value: TemplateNode)])
    case array([TemplateNode])

    public enum Key: Sendable {
        case literal(String)
        case template(CELTemplate)
    }

    /// Whether the node has no expressions.
    public var isLiteral: Bool {
        if case .literal = self { return true }
        return false
    }

    /// Every compiled expression of the node, keys included.
    public var programs: [CELProgram] {
        switch self {
        case .literal: return []
        case .template(let t): return t.programs
        case .array(let items): return items.flatMap(\.programs)
        case .object(let entries):
            return entries.flatMap { e -> [CELProgram] in
                var out: [CELProgram] = []
                if case .template(let t) = e.key { out += t.programs }
                return out + e.value.programs
            }
        }
    }

    /// The declared variables the node's expressions use.
    public var referencedVariables: Set<String> {
        switch self {
        case .literal: return []
        case .template(let t): return Set(t.referencedVariables)
        case .array(let items): return items.reduce(into: []) { $0.formUnion($1.referencedVariables) }
        case .object(let entries):
            return entries.reduce(into: []) { acc, e in
                acc.formUnion(e.value.referencedVariables)
                if case .template(let t) = e.key { acc.formUnion(t.referencedVariables) }
            }
        }
    }

    /// Evaluates every expression with `variables`.
    ///
    /// - Returns: the value, or the first failure located in the rule file.
    public func evaluate(_ variables: [String: Value]) -> Result<Value, Diagnostic> {
        switch self {
        case .literal(let v):
            return .success(v)
        case .template(let t):
            return t.evaluateLocated(variables)
        case .array(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items {
                switch item.evaluate(variables) {
                case .success(let v): out.append(v)
                case .failure(let d): return .failure(d)
                }
            }
            return .success(.array(out))
        case .object(let entries):
            var out = Value.Object(minimumCapacity: entries.count)
            for entry in entries {
                let key: String
                switch entry.key {
                case .literal(let k): key = k
                case .template(let t):
                    switch t.evaluateLocated(variables) {
                    case .success(.string(let s)): key = s
                    case .success(let other):
                        return .failure(Diagnostic(.error, at: SourceLocation(file: "<template>", line: 0, column: 0), "a templated key must be a string, got \(other.typeName)"))
                    case .failure(let d): return .failure(d)
                    }
                }
                switch entry.value.evaluate(variables) {
                case .success(let v): out[key] = v
                case .failure(let d): return .failure(d)
                }
            }
            return .success(.object(out))
        }
    }

    /// The literal value at `path` when that part of the template has no expressions.
    public func literal(at path: [String]) -> Value? {
        guard let first = path.first else {
            if case .literal(let v) = self { return v }
            return nil
        }
        switch self {
        case .literal(let v):
            var current = v
            for k in path {
                guard let next = current[k] else { return nil }
                current = next
            }
            return current
        case .object(let entries):
            for e in entries {
                if case .literal(let k) = e.key, k == first { return e.value.literal(at: Array(path.dropFirst())) }
            }
            return nil
        default:
            return nil
        }
    }
}
