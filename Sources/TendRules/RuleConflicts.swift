public import TendMeta
public import TendValue
import TendYAML

/// Fields that two rules would both set on the same objects: found before anything runs.
///
/// Each rule applies as its own field manager, so rules that set *different* fields of one object
/// coexist. Two rules that set the *same* field of objects both select would take turns forcing
/// their value on every reconcile; at run time Tend notices such a fight and backs off
/// (`ChildContested`), but where the rule files show it, `tend check` reports it as an error at both
/// places. What is compared: the fields `patch` sets, and what `status` declares (the phase's path,
/// each condition type, each status field), between rules watching the same kind whose scopes can overlap (their label
/// selectors do not require different values of one label, and their namespace globs can both
/// match). A field that is an expression's key, or a list, is compared whole.
public enum RuleConflicts {
    /// A field a rule sets on the objects it watches.
    public struct Claim: Sendable, Hashable {
        public var rule: String
        public var kind: GroupVersionKind
        public var path: FieldPath
        public var location: SourceLocation
        /// `watch.selector` (string form), for the overlap test.
        public var selector: String?
        /// Namespace globs, nil when the rule watches every namespace (or selects them by label).
        public var namespaceGlobs: [String]?
    }

    /// The fields `rule` (compiled from `document`) sets on its watched objects.
    static func claims(of rule: Rule, document: YAMLDocument) -> [Claim] {
        var claims: [Claim] = []
        var globs: [String]?
        if case .globs(let g) = rule.watch.namespaces { globs = g }
        func claim(_ path: FieldPath, at yamlPath: YAMLPath) {
            let location = document.locations.keyLocation(of: yamlPath) ?? document.locations.location(of: yamlPath) ?? rule.location
            claims.append(Claim(rule: rule.name, kind: rule.watch.kind, path: path, location: location, selector: rule.watch.labelSelector, namespaceGlobs: globs))
        }
        // `patch`: every literal leaf, a map with expression keys or a list as a whole.
        func walk(_ value: Value, path: FieldPath, yamlPath: YAMLPath) {
            if case .object(let fields) = value, !fields.isEmpty, !fields.keys.contains(where: { $0.contains("${") }) {
                for (key, child) in fields { walk(child, path: path.appending(key: key), yamlPath: yamlPath.appending(key: key)) }
            } else {
                claim(path, at: yamlPath)
            }
        }
        if let patch = document.value["spec"]?["patch"] { walk(patch, path: .root, yamlPath: ["spec", "patch"]) }
        let status: YAMLPath = ["spec", "status"]
        if let phase = rule.status.phase { claim(phase.path, at: status.appending(key: "phase")) }
        for (i, condition) in rule.status.conditions.enumerated() {
            claim(FieldPath([.key("status"), .key("conditions"), .key(condition.type)]), at: status.appending(key: "conditions").appending(index: i))
        }
        for (name, _) in rule.status.fields {
            claim(FieldPath([.key("status"), .key(name)]), at: status.appending(key: "fields").appending(key: name))
        }
        return claims
    }

    /// An error at each later claim of a field an earlier rule claims on objects both may select,
    /// naming the other rule and its location, followed by a note at the other place.
    public static func diagnostics(_ claims: [Claim]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<[String]>()
        for (i, later) in claims.enumerated() {
            for earlier in claims[..<i] where earlier.rule != later.rule && earlier.kind == later.kind {
                guard overlaps(earlier.path, later.path), scopesOverlap(earlier, later) else { continue }
                let pair = [earlier.rule, later.rule, earlier.path.description, later.path.description]
                guard reported.insert(pair).inserted else { continue }
                let field = earlier.path.components.count <= later.path.components.count ? earlier.path : later.path
                out.append(Diagnostic(.error, at: later.location, "rules \"\(earlier.rule)\" and \"\(later.rule)\" both set \(field) of \(later.kind.kind) objects they both watch; each apply would undo the other's (set it in one rule, or make their selectors exclusive)"))
                out.append(Diagnostic(.note, at: earlier.location, "rule \"\(earlier.rule)\" sets \(field) here"))
            }
        }
        return out
    }

    /// Whether one path is the other or lies below it.
    static func overlaps(_ a: FieldPath, _ b: FieldPath) -> Bool {
        let n = min(a.components.count, b.components.count)
        return Array(a.components.prefix(n)) == Array(b.components.prefix(n))
    }

    /// False when the two rules' scopes provably never select the same object: their label selectors
    /// require different values of one label (or one requires a label the other excludes), or their
    /// namespace globs have no namespace in common (only literal names are compared).
    static func scopesOverlap(_ a: Claim, _ b: Claim) -> Bool {
        if let ga = a.namespaceGlobs, let gb = b.namespaceGlobs {
            let literal = { (g: [String]) in g.allSatisfy { !$0.contains("*") && !$0.contains("?") } }
            if literal(ga) && literal(gb) && Set(ga).isDisjoint(with: gb) { return false }
        }
        guard let sa = a.selector.flatMap({ try? LabelSelector(parsing: $0) }), let sb = b.selector.flatMap({ try? LabelSelector(parsing: $0) }) else { return true }
        let ra = sa.requirements, rb = sb.requirements
        for x in ra {
            for y in rb where x.key == y.key {
                if let vx = x.requiredValues, let vy = y.requiredValues, vx.isDisjoint(with: vy) { return false }
                if x.requiredValues != nil && y.operator == .doesNotExist { return false }
                if y.requiredValues != nil && x.operator == .doesNotExist { return false }
            }
        }
        return true
    }
}

extension LabelSelector {
    /// `matchLabels` and `matchExpressions` as one list of requirements.
    var requirements: [Requirement] {
        matchLabels.map { Requirement(key: $0.key, operator: .equals, values: [$0.value]) } + matchExpressions
    }
}

extension LabelSelector.Requirement {
    /// The values the label must have (`=`, `in`), or nil when any or none will do.
    var requiredValues: Set<String>? {
        switch self.operator {
        case .equals, .in: Set(values)
        default: nil
        }
    }
}
