public import Foundation
public import TendMeta
public import TendOffline
public import TendValue
import TendYAML

extension RuleTest {
    /// Runs the steps in order against an offline cluster; a step's failures do not stop later steps.
    public func run(rules: [Rule], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped, now: Date = Date()) -> [StepResult] {
        run(rules: rules, clusterScoped: clusterScoped, now: self.now ?? now, collectCoverage: false).results
    }

    /// Runs the steps like ``run(rules:clusterScoped:now:)`` and also returns each rule's coverage
    /// (one per rule, in `rules` order): what every reconcile of every step exercised.
    public func runWithCoverage(rules: [Rule], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped, now: Date = Date()) -> (results: [StepResult], coverage: [RuleCoverage]) {
        let (results, coverage) = run(rules: rules, clusterScoped: clusterScoped, now: self.now ?? now, collectCoverage: true)
        return (results, coverage ?? [])
    }

    /// Runs the steps like ``run(rules:clusterScoped:now:)`` and hands `afterStep` each step's index,
    /// its result and the offline cluster as the step left it (reconciled, before the next step's
    /// changes): what the differential tests compare with a live cluster, step by step.
    public func run(
        rules: [Rule], clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped, now: Date = Date(),
        afterStep: (_ index: Int, _ result: StepResult, _ cluster: OfflineCluster) -> Void
    ) -> [StepResult] {
        run(rules: rules, clusterScoped: clusterScoped, now: self.now ?? now, collectCoverage: false, afterStep: afterStep).results
    }

    private func run(
        rules: [Rule], clusterScoped: Set<GroupVersionKind>, now: Date, collectCoverage: Bool,
        afterStep: (Int, StepResult, OfflineCluster) -> Void = { _, _, _ in }
    ) -> (results: [StepResult], coverage: [RuleCoverage]?) {
        var run = OfflineRun(rules: rules, cluster: OfflineCluster(clusterScoped: clusterScoped), now: now, collectCoverage: collectCoverage)
        var results: [StepResult] = []
        for (index, step) in steps.enumerated() {
            let start = Date()
            if let wait = step.wait {
                let c = wait.components
                run.now += TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
            }
            // Writes of the step itself count too: the API server refuses an invalid object whoever writes it.
            let refusedBefore = run.cluster.failures.count
            for object in step.apply { run.cluster.applyStep(object) }
            for patch in step.patch { run.cluster.patch(patch) }
            for object in step.delete {
                guard let (kind, key) = Self.reference(object) else { continue }
                run.cluster.delete(kind, namespace: key.namespace, name: key.name)
            }
            run.converge()
            // Writes the API server would refuse: the reconcile of that object fails (tend run retries
            // it with backoff and reports it in its Ready condition).
            var failures: [String] = Array(Set(run.cluster.failures.dropFirst(refusedBefore))).sorted().map { "the API server would refuse: \($0)" }
            for expected in step.present {
                guard let (kind, key) = Self.reference(expected) else { continue }
                guard let live = run.cluster.get(kind, namespace: key.namespace, name: key.name) else {
                    var message = "expected \(kind.kind) \(key) to exist; it does not"
                    // What kept a rule from making it, as tend run would put it in the Ready condition.
                    let why = run.problems.prefix(3).map { "\n    rule \($0.rule), \($0.object): \($0.problem.reason): \($0.problem.message)" }
                    if !why.isEmpty { message += "; problems in the last reconcile:" + why.joined() }
                    failures.append(message)
                    continue
                }
                if !Self.matches(live, expected) {
                    let shown = PlanRenderer.projection(of: live, onto: expected)
                    failures.append("\(kind.kind) \(key) differs from the expectation:\n" + UnifiedDiff.render(old: expected, new: shown, oldLabel: "expected", newLabel: "actual"))
                }
            }
            for object in step.absent {
                guard let (kind, key) = Self.reference(object) else { continue }
                if run.cluster.get(kind, namespace: key.namespace, name: key.name) != nil {
                    failures.append("expected \(kind.kind) \(key) to be absent; it exists")
                }
            }
            let result = StepResult(test: name, step: step.name, failures: failures, seconds: Date().timeIntervalSince(start))
            afterStep(index, result, run.cluster)
            results.append(result)
        }
        return (results, run.coverage)
    }

    /// Partial match: every field of `expected` is in `live` with an equal value; a list matches when
    /// each expected element matches a distinct live element, in any order.
    public static func matches(_ live: Value, _ expected: Value) -> Bool {
        switch (live, expected) {
        case (.object(let l), .object(let e)):
            return e.allSatisfy { entry in
                guard let lv = l[entry.key] else { return entry.value.isNull }
                return matches(lv, entry.value)
            }
        case (.array(let l), .array(let e)):
            var used = Set<Int>()
            for item in e {
                guard let i = l.indices.first(where: { !used.contains($0) && matches(l[$0], item) }) else { return false }
                used.insert(i)
            }
            return true
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        default:
            return live == expected
        }
    }
}
