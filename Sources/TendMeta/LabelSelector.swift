public import TendValue

/// A label query: `matchLabels` and `matchExpressions`, as `metav1.LabelSelector`, with the
/// matching rules of apimachinery's `labels.Requirement.Matches`:
///
/// | operator | label absent | label present with value v |
/// |---|---|---|
/// | `in`, `=`, `==` | no match | match iff v is in the values |
/// | `notin`, `!=` | match | match iff v is not in the values |
/// | exists (`key`) | no match | match |
/// | does not exist (`!key`) | match | no match |
///
/// All requirements must match (AND). The empty selector matches every object. (A *missing*
/// `selector` field in a Kubernetes object can mean "nothing"; callers decide that before building one.)
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One term of a selector.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public enum Operator: String, Sendable, Hashable {
            case `in` = "In"
            case notIn = "NotIn"
            case exists = "Exists"
            case doesNotExist = "DoesNotExist"
            case equals = "="
            case notEquals = "!="
        }

        public var key: String
        public var `operator`: Operator
        /// Sorted, distinct. Exactly one for `=`/`!=`, none for exists/does-not-exist.
        public var values: [String]

        public init(key: String, operator op: Operator, values: [String] = []) {
            self.key = key
            self.operator = op
            self.values = Array(Set(values)).sorted()
        }

        public func matches(_ labels: Value.Object?) -> Bool {
            let value = labels?[key]?.stringValue
            switch self.operator {
            case .in, .equals: return value.map(values.contains) ?? false
            case .notIn, .notEquals: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }

        /// The kubectl string form of this term.
        public var description: String {
            switch self.operator {
            case .equals: "\(key)=\(values.first ?? "")"
            case .notEquals: "\(key)!=\(values.first ?? "")"
            case .in: "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: key
            case .doesNotExist: "!\(key)"
            }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// The selector that matches every object.
    public static let everything = LabelSelector()

    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    /// Every term: `matchLabels` as `=` requirements (sorted by key), then the expressions.
    public var requirements: [Requirement] {
        matchLabels.sorted { $0.key < $1.key }.map { Requirement(key: $0.key, operator: .equals, values: [$0.value]) }
            + matchExpressions
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    public func matches(labels: Value.Object?) -> Bool {
        for (k, v) in matchLabels where labels?[k]?.stringValue != v { return false }
        return matchExpressions.allSatisfy { $0.matches(labels) }
    }

    /// Whether `object`'s labels satisfy every requirement.
    public func matches(_ object: Value) -> Bool { matches(labels: object["metadata"]?["labels"]?.objectValue) }

    /// The kubectl string form, e.g. `app=web,tier in (a,b),!legacy`.
    public var description: String { requirements.map(\.description).joined(separator: ",") }
}

extension LabelSelector {
    /// Reads a `metav1.LabelSelector` object (`{"matchLabels": {...}, "matchExpressions": [{"key", "operator", "values"}]}`).
    /// - Throws: ``LabelSelectorError`` naming the offending field.
    public init(_ value: Value) throws(LabelSelectorError) {
        self.init()
        guard case .object(let o) = value else {
            throw LabelSelectorError(message: "a label selector must be an object, found \(value.typeName)", offset: nil)
        }
        if let labels = o["matchLabels"]?.objectValue {
            for (k, v) in labels {
                guard let s = v.stringValue else {
                    throw LabelSelectorError(message: "matchLabels.\(k) must be a string", offset: nil)
                }
                try LabelSelectorError.validate(key: k)
                try LabelSelectorError.validate(value: s)
                matchLabels[k] = s
            }
        }
        for (i, e) in (o["matchExpressions"]?.arrayValue ?? []).enumerated() {
            guard let key = e["key"]?.stringValue, let opName = e["operator"]?.stringValue else {
                throw LabelSelectorError(message: "matchExpressions[\(i)] needs key and operator", offset: nil)
            }
            try LabelSelectorError.validate(key: key)
            let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            let op: Requirement.Operator
            switch opName {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw LabelSelectorError(message: "matchExpressions[\(i)]: \"\(opName)\" is not a valid label selector operator", offset: nil)
            }
            let wantsValues = op == .in || op == .notIn
            if wantsValues == values.isEmpty {
                let rule = wantsValues ? "non-empty" : "empty"
                throw LabelSelectorError(message: "matchExpressions[\(i)]: values must be \(rule) for \(opName)", offset: nil)
            }
            for v in values { try LabelSelectorError.validate(value: v) }
            matchExpressions.append(Requirement(key: key, operator: op, values: values))
        }
    }
}
