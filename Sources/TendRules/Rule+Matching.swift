import Foundation
import TendCEL
import TendKube
import TendRegex
public import TendValue

extension Rule.Watch {
    /// Whether `object` is one this rule reconciles, judged on the client side.
    ///
    /// `tend run` sends the label and field selectors to the server and only checks the rest here;
    /// offline planning checks everything here. `namespaceLabels` gives the labels of the object's
    /// namespace, for a `namespaceSelector`.
    public func matches(_ object: Value, namespaceLabels: Value? = nil, checkServerSelectors: Bool = true) -> Bool {
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        switch namespaces {
        case .all: break
        case .globs: if !namespaces.matchesName(namespace) { return false }
        case .selector(let s):
            guard let selector = try? LabelSelector(parsing: s), selector.matches(labels: namespaceLabels?.objectValue) else { return false }
        }
        if checkServerSelectors {
            if let labelSelector {
                guard let selector = try? LabelSelector(parsing: labelSelector), selector.matches(object) else { return false }
            }
            if let fieldSelector, !FieldSelectorMatcher(fieldSelector).matches(object) { return false }
        }
        if let regex = self.name, (try? regex.matches(name)) != true { return false }
        if let when {
            guard (try? when.evaluateCondition(["self": object])) == true else { return false }
        }
        return true
    }
}

/// Evaluates a field selector (`metadata.name!=legacy,status.phase=Running`) on the client side, for
/// offline planning. Each term compares the field's string form.
public struct FieldSelectorMatcher: Sendable {
    let terms: [(path: FieldPath?, value: String, negate: Bool)]

    public init(_ selector: String) {
        var terms: [(FieldPath?, String, Bool)] = []
        for raw in selector.split(separator: ",") {
            let t = String(raw).trimmed
            let (op, negate): (String, Bool) = t.contains("!=") ? ("!=", true) : (t.contains("==") ? ("==", false) : ("=", false))
            guard let r = t.range(of: op) else { continue }
            terms.append((try? FieldPath(parsing: String(t[..<r.lowerBound]).trimmed), String(t[r.upperBound...]).trimmed, negate))
        }
        self.terms = terms
    }

    public func matches(_ object: Value) -> Bool {
        for (path, value, negate) in terms {
            guard let path else { return false }
            let actual: String
            switch object[path: path] {
            case .string(let s)?: actual = s
            case .int(let i)?: actual = String(i)
            case .bool(let b)?: actual = String(b)
            default: actual = ""
            }
            if (actual == value) == negate { return false }
        }
        return true
    }
}
