public import TendValue

/// Rule coverage: which parts of a rule its tests exercised, like code coverage for rules.
///
/// Built from the rule (every item uncovered), then fed every traced plan the tests made
/// (``record(_:parent:)``), across all steps, reconcile rounds and tests of that rule. Items, in
/// rule order:
/// - each child: created or updated at least once;
/// - each child's `includeWhen`: seen true (included) and seen false (left out), two items;
/// - each child's `forEach`: seen with no items and with at least one, two items;
/// - each child's `readyWhen`: seen true and false (evaluated only while the child exists), two items;
/// - each phase of the phase machine: entered (the phase after some reconcile);
/// - each transition, by index: fired at least once;
/// - each condition: written with status True and with status False, two items;
/// - `patch`: its fields rendered for the watched object (applied, or already in place).
///
/// Only traced plans carry what this needs (``Planner/init(rule:trace:)`` with `trace: true`):
/// collecting coverage never changes a plan, and `tend run` never pays for it.
public struct RuleCoverage: Sendable {
    /// The rule's name (``Rule/name``).
    public var rule: String
    public private(set) var items: [Item]

    /// One thing a test can exercise.
    public struct Item: Sendable, Hashable {
        public enum Key: Sendable, Hashable {
            case child(String)
            case includeWhen(child: String, value: Bool)
            case forEach(child: String, empty: Bool)
            case readyWhen(child: String, value: Bool)
            case phase(String)
            case transition(index: Int)
            case condition(type: String, status: Bool)
            case patch
        }

        public var key: Key
        /// What the item is about, as the rule spells it: `includeWhen of child service`,
        /// `transition Running -> Degraded (Unavailable)`.
        public var subject: String
        /// What was never seen, shown while uncovered: `never false`, `never fired`.
        public var missing: String
        public var covered = false
    }

    /// Every item of `rule`, uncovered.
    public init(rule: Rule) {
        self.rule = rule.name
        var items: [Item] = []
        for child in rule.children {
            items.append(Item(key: .child(child.id), subject: "child \(child.id)", missing: "never created or updated"))
            if !child.includeWhen.isEmpty {
                items.append(Item(key: .includeWhen(child: child.id, value: true), subject: "includeWhen of child \(child.id)", missing: "never true"))
                items.append(Item(key: .includeWhen(child: child.id, value: false), subject: "includeWhen of child \(child.id)", missing: "never false"))
            }
            if !child.forEach.isEmpty {
                items.append(Item(key: .forEach(child: child.id, empty: true), subject: "forEach of child \(child.id)", missing: "never empty"))
                items.append(Item(key: .forEach(child: child.id, empty: false), subject: "forEach of child \(child.id)", missing: "never with items"))
            }
            if !child.readyWhen.isEmpty {
                items.append(Item(key: .readyWhen(child: child.id, value: true), subject: "readyWhen of child \(child.id)", missing: "never true"))
                items.append(Item(key: .readyWhen(child: child.id, value: false), subject: "readyWhen of child \(child.id)", missing: "never false"))
            }
        }
        if let machine = rule.status.phase {
            for phase in machine.phases {
                items.append(Item(key: .phase(phase), subject: "phase \(phase)", missing: "never entered"))
            }
            for (index, t) in machine.transitions.enumerated() {
                let from = t.from.isEmpty ? "*" : t.from.joined(separator: ", ")
                let reason = t.reason.map { " (\($0))" } ?? ""
                items.append(Item(key: .transition(index: index), subject: "transition \(from) -> \(t.to)\(reason)", missing: "never fired"))
            }
        }
        for condition in rule.status.conditions {
            items.append(Item(key: .condition(type: condition.type, status: true), subject: "condition \(condition.type)", missing: "never True"))
            items.append(Item(key: .condition(type: condition.type, status: false), subject: "condition \(condition.type)", missing: "never False"))
        }
        if rule.patch != nil {
            items.append(Item(key: .patch, subject: "patch", missing: "never rendered"))
        }
        self.items = items
    }

    public var total: Int { items.count }
    public var coveredCount: Int { items.filter(\.covered).count }
    /// Covered items in percent; 100 for a rule with nothing to cover.
    public var percent: Double { total == 0 ? 100 : Double(coveredCount) * 100 / Double(total) }
    public var uncovered: [Item] { items.filter { !$0.covered } }

    /// Marks `key` covered; a key the rule does not declare is ignored.
    public mutating func cover(_ key: Item.Key) {
        for i in items.indices where items[i].key == key { items[i].covered = true }
    }

    /// Adds what another run of the same rule covered.
    public mutating func merge(_ other: RuleCoverage) {
        let keys = Set(other.items.filter(\.covered).map(\.key))
        for i in items.indices where keys.contains(items[i].key) { items[i].covered = true }
    }

    /// Records what one plan of `parent` exercised. `plan` must carry a trace; an untraced plan
    /// records only its children's actions and its status. A plan for a parent being deleted or
    /// suspended exercises nothing but the children it prunes (nothing here).
    public mutating func record(_ plan: ReconcilePlan, parent: Value) {
        if parent.isBeingDeleted || plan.suspended { return }
        for child in plan.children where child.action == .create || child.action == .update {
            cover(.child(child.id))
        }
        if let trace = plan.trace {
            recordChildren(trace.children)
            if let phase = trace.phase {
                cover(.phase(phase.current))
                for t in phase.transitions where t.verdict == .fires {
                    cover(.transition(index: t.index))
                    cover(.phase(t.to))
                }
            }
        }
        if plan.parentFields != nil, !plan.problems.contains(where: { $0.reason == "TemplateError" && $0.message.hasPrefix("patch:") }) {
            cover(.patch)
        }
        for condition in plan.status?["conditions"]?.arrayValue ?? [] {
            guard let type = condition["type"]?.stringValue else { continue }
            switch condition["status"]?.stringValue {
            case "True": cover(.condition(type: type, status: true))
            case "False": cover(.condition(type: type, status: false))
            default: break
            }
        }
    }

    private mutating func recordChildren(_ traced: [PlanTrace.Child]) {
        var instances: [String: Int] = [:]
        var rendered: Set<String> = []
        for child in traced {
            switch child.outcome {
            case .planned, .excluded:
                rendered.insert(child.id)
                instances[child.id, default: 0] += child.loop.isEmpty ? 0 : 1
            case .excludedWith, .waiting, .failed:
                rendered.insert(child.id)  // planned, but its forEach was not (or not fully) evaluated
                continue
            }
            if !child.includeWhen.isEmpty {
                cover(.includeWhen(child: child.id, value: child.outcome == .planned))
            }
            if !child.readyWhen.isEmpty {
                cover(.readyWhen(child: child.id, value: child.readyWhen.allSatisfy { $0.value == true }))
            }
        }
        for item in items {
            guard case .forEach(let id, true) = item.key else { continue }
            if let n = instances[id] {
                cover(.forEach(child: id, empty: n == 0))
            } else if !rendered.contains(id) {
                cover(.forEach(child: id, empty: true))  // a forEach over an empty list leaves no trace
            }
        }
    }
}
