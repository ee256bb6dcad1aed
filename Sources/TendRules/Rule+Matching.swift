import Foundation
import TendCEL
import TendMeta
import TendRegex
public import TendValue

extension Rule.Watch {
    /// Whether `object` is one this rule reconciles, judged on the client side.
    ///
    /// `tend run` sends the label and field selectors to the server and only checks the rest here;
    /// offline planning checks everything here. `namespaceLabels` gives the labels of the object's
    /// namespace, for a `namespaceSelector`. The object's kind is not checked (callers list the
    /// watched kind).
    ///
    /// Evaluates the same criteria as ``explain(object:namespaceLabels:)``, without their details
    /// and stopping at the first that fails: the two can never disagree.
    public func matches(_ object: Value, namespaceLabels: Value? = nil, checkServerSelectors: Bool = true) -> Bool {
        var matched = true
        evaluateCriteria(object, namespaceLabels: namespaceLabels, checkServerSelectors: checkServerSelectors, detailed: false) { check in
            matched = check.passed
            return matched
        }
        return matched
    }

    /// Every selection criterion of this rule evaluated on `object`, in order, each with the
    /// detail that decided it: the watched kind first; when the kind differs, nothing else.
    /// Every other criterion is evaluated even after one fails, so all reasons show at once.
    ///
    /// The object is selected exactly when every check passes; without the kind check, that is
    /// ``matches(_:namespaceLabels:checkServerSelectors:)`` with `checkServerSelectors: true`.
    public func explain(object: Value, namespaceLabels: Value?) -> [SelectionCheck] {
        let kindCheck = self.kindCheck(object)
        guard kindCheck.passed else { return [kindCheck] }
        var checks = [kindCheck]
        evaluateCriteria(object, namespaceLabels: namespaceLabels, checkServerSelectors: true, detailed: true) { check in
            checks.append(check)
            return true
        }
        return checks
    }

    /// Whether `object` is of the watched kind (group and kind; the version is the one it was read in).
    func kindCheck(_ object: Value) -> SelectionCheck {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kindName = object["kind"]?.stringValue ?? ""
        let objectKind = GroupVersionKind(apiVersion: apiVersion, kind: kindName)
        if let objectKind, objectKind.group == kind.group, objectKind.kind == kind.kind {
            return SelectionCheck(.kind, true, "watches \(kind)")
        }
        let shown = objectKind.map { "\($0)" } ?? "\(kindName) \(apiVersion)"
        return SelectionCheck(.kind, false, "watches \(kind), not \(shown)")
    }

    /// Calls `visit` with each criterion's check in order until it returns false. Details are
    /// only rendered when `detailed` (the cache's hot path does not pay for them).
    private func evaluateCriteria(
        _ object: Value, namespaceLabels: Value?, checkServerSelectors: Bool, detailed: Bool, _ visit: (SelectionCheck) -> Bool
    ) {
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        guard visit(namespaceCheck(namespace, namespaceLabels: namespaceLabels, detailed: detailed)) else { return }
        if checkServerSelectors {
            if let labelSelector {
                guard visit(labelCheck(labelSelector, object, detailed: detailed)) else { return }
            }
            if let fieldSelector {
                let matcher = FieldSelectorMatcher(fieldSelector)
                let passed = matcher.matches(object)
                let detail = detailed ? "\(fieldSelector) (\(matcher.actualValues(object)))" : ""
                guard visit(SelectionCheck(.fieldSelector, passed, detail)) else { return }
            }
        }
        if let regex = self.name {
            let passed = (try? regex.matches(name)) == true
            let detail = detailed ? "name \(name) \(passed ? "matches" : "does not match") \(regex.pattern)" : ""
            guard visit(SelectionCheck(.name, passed, detail)) else { return }
        }
        if let when {
            switch Result(catching: { () throws(CELError) -> Bool in try when.evaluateCondition(["self": object]) }) {
            case .success(let b):
                _ = visit(SelectionCheck(.when, b, detailed ? "\(Self.shown(when)) is \(b)" : ""))
            case .failure(let error):
                _ = visit(SelectionCheck(.when, false, detailed ? "\(Self.shown(when)) failed: \(error.message)" : ""))
            }
        }
    }

    private func namespaceCheck(_ namespace: String, namespaceLabels: Value?, detailed: Bool) -> SelectionCheck {
        switch namespaces {
        case .all:
            return SelectionCheck(.namespace, true, detailed ? "all namespaces" : "")
        case .globs(let globs):
            let passed = namespaces.matchesName(namespace)
            let shown = namespace.isEmpty ? "(cluster-scoped)" : namespace
            return SelectionCheck(.namespace, passed, detailed ? "\(shown) \(passed ? "matches" : "matches none of") \(globs.joined(separator: ", "))" : "")
        case .selector(let s):
            let selector = try? LabelSelector(parsing: s)
            let passed = selector?.matches(labels: namespaceLabels?.objectValue) ?? false
            guard detailed else { return SelectionCheck(.namespace, passed, "") }
            let labels = Self.labelList(namespaceLabels?.objectValue, keys: selector.map(Self.keys))
            let shown = namespace.isEmpty ? "(cluster-scoped)" : namespace
            return SelectionCheck(.namespace, passed, "namespaceSelector \(s) \(passed ? "matches" : "does not match") namespace \(shown) labels {\(labels)}")
        }
    }

    private func labelCheck(_ labelSelector: String, _ object: Value, detailed: Bool) -> SelectionCheck {
        let selector = try? LabelSelector(parsing: labelSelector)
        let passed = selector?.matches(object) ?? false
        guard detailed else { return SelectionCheck(.labelSelector, passed, "") }
        let labels = Self.labelList(object["metadata"]?["labels"]?.objectValue, keys: selector.map(Self.keys))
        return SelectionCheck(.labelSelector, passed, "\(labelSelector) \(passed ? "matches" : "does not match") labels {\(labels)}")
    }

    /// The label keys a selector reads.
    private static func keys(_ selector: LabelSelector) -> Set<String> { Set(selector.requirements.map(\.key)) }

    /// `team=a, tier=web`: the labels among `keys` (all when nil), sorted.
    private static func labelList(_ labels: Value.Object?, keys: Set<String>?) -> String {
        (labels ?? Value.Object()).filter { keys?.contains($0.key) ?? true }
            .map { "\($0.key)=\($0.value.stringValue ?? JSON.serialize($0.value))" }.sorted().joined(separator: ", ")
    }

    /// An expression as the rule file spells it: `${...}`.
    static func shown(_ program: CELProgram) -> String {
        program.source.hasPrefix("${") ? program.source : "${\(program.source)}"
    }
}

/// One selection criterion of a rule, evaluated on one object: what `tend explain` shows.
public struct SelectionCheck: Sendable, Hashable, CustomStringConvertible {
    /// The criteria, in the order they are evaluated.
    public enum Criterion: String, Sendable, Hashable, CaseIterable {
        case kind, namespace, labelSelector, fieldSelector, name, when
    }

    public var criterion: Criterion
    public var passed: Bool
    /// What decided it, e.g. `tier=web does not match labels {tier=db}`; empty when not asked for.
    public var detail: String

    public init(_ criterion: Criterion, _ passed: Bool, _ detail: String) {
        self.criterion = criterion
        self.passed = passed
        self.detail = detail
    }

    public var description: String { "\(passed ? "ok" : "no") \(criterion.rawValue): \(detail)" }
}

/// Evaluates a field selector (`metadata.name!=legacy,status.phase=Running`) on the client side, for
/// offline planning. Each term compares the field's string form.
public struct FieldSelectorMatcher: Sendable {
    let terms: [(path: FieldPath?, field: String, value: String, negate: Bool)]

    public init(_ selector: String) {
        var terms: [(FieldPath?, String, String, Bool)] = []
        for raw in selector.split(separator: ",") {
            let t = String(raw).trimmed
            let (op, negate): (String, Bool) = t.contains("!=") ? ("!=", true) : (t.contains("==") ? ("==", false) : ("=", false))
            guard let r = t.range(of: op) else { continue }
            let field = String(t[..<r.lowerBound]).trimmed
            terms.append((try? FieldPath(parsing: field), field, String(t[r.upperBound...]).trimmed, negate))
        }
        self.terms = terms
    }

    public func matches(_ object: Value) -> Bool {
        for (path, _, value, negate) in terms {
            guard let path else { return false }
            if (Self.actual(object, path) == value) == negate { return false }
        }
        return true
    }

    /// The object's values of the fields the selector reads: `metadata.name=shop`.
    public func actualValues(_ object: Value) -> String {
        terms.map { term in "\(term.field)=\(term.path.map { Self.actual(object, $0) } ?? "?")" }.joined(separator: ", ")
    }

    private static func actual(_ object: Value, _ path: FieldPath) -> String {
        switch object[path: path] {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .bool(let b)?: String(b)
        default: ""
        }
    }
}

extension Value {
    /// Whether the object has a `metadata.deletionTimestamp`: its deletion was requested and waits
    /// for finalizers.
    package var isBeingDeleted: Bool {
        if let t = self["metadata"]?["deletionTimestamp"], !t.isNull { return true }
        return false
    }
}
