public import TendValue

extension RuleCoverage {
    /// Combines the coverage of several test runs by rule name, in order of first appearance: a rule
    /// tested by several tests is covered by all of them together.
    public static func combined(_ runs: [RuleCoverage]) -> [RuleCoverage] {
        var combined: [RuleCoverage] = []
        for run in runs {
            if let i = combined.firstIndex(where: { $0.rule == run.rule }) {
                combined[i].merge(run)
            } else {
                combined.append(run)
            }
        }
        return combined
    }

    /// The percentage as `tend test` shows it: rounded to a whole number, but never shown as 100
    /// while something is uncovered (nor as 0 while something is covered).
    public var shownPercent: Int {
        let rounded = Int(percent.rounded())
        if rounded == 100 && coveredCount < total { return 99 }
        if rounded == 0 && coveredCount > 0 { return 1 }
        return rounded
    }

    /// The text block `tend test` prints:
    ///
    /// ```
    /// coverage webapp: 11/14 (79%)
    ///   transition Running -> Degraded (Unavailable): never fired
    ///   includeWhen of child service: never false
    /// ```
    ///
    /// With `color`, the figure is green when complete and yellow otherwise.
    public func renderText(color: Bool = false) -> String {
        let paint = color ? (coveredCount == total ? "\u{1B}[32m" : "\u{1B}[33m") : ""
        let reset = color ? "\u{1B}[0m" : ""
        var text = "coverage \(rule): \(paint)\(coveredCount)/\(total) (\(shownPercent)%)\(reset)\n"
        for item in uncovered { text += "  \(item.subject): \(item.missing)\n" }
        return text
    }

    /// A JSON object: `{rule, covered, total, percent, items: [{item, covered, missing?}]}`;
    /// `missing` (what was never seen) is given for uncovered items.
    public func json() -> Value {
        let list: [Value] = items.map { item in
            var entry: Value = ["kind": .string(item.key.kindName), "item": .string(item.subject), "outcome": .string(item.key.outcome), "covered": .bool(item.covered)]
            if !item.covered { entry["missing"] = .string(item.missing) }
            return entry
        }
        return [
            "rule": .string(rule), "covered": .int(Int64(coveredCount)), "total": .int(Int64(total)),
            "percent": .double((percent * 10).rounded() / 10), "items": .array(list),
        ]
    }
}

extension RuleCoverage.Item.Key {
    /// The kind of item: `child`, `includeWhen`, `forEach`, `readyWhen`, `phase`, `transition`, `condition`, `patch`.
    public var kindName: String {
        switch self {
        case .child: "child"
        case .includeWhen: "includeWhen"
        case .forEach: "forEach"
        case .readyWhen: "readyWhen"
        case .phase: "phase"
        case .transition: "transition"
        case .condition: "condition"
        case .patch: "patch"
        }
    }

    /// What must be seen for the item to be covered: `created or updated`, `true`, `false`,
    /// `empty`, `with items`, `entered`, `fired`, `True`, `False`.
    public var outcome: String {
        switch self {
        case .child: "created or updated"
        case .includeWhen(_, let v), .readyWhen(_, let v): v ? "true" : "false"
        case .forEach(_, let empty): empty ? "empty" : "with items"
        case .phase: "entered"
        case .transition: "fired"
        case .condition(_, let s): s ? "True" : "False"
        case .patch: "rendered"
        }
    }
}
