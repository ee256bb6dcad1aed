import Foundation
import Testing
import TendKube
import TendMeta
import TendOffline
import TendRules
import TendTesting
import TendValue

/// Offline and live agree: every RuleTest of the shipped rules (`rules/*/*.test.yaml`), of
/// `examples/meet`, `examples/policies`, `examples/readiness`, `examples/lookups`,
/// `examples/finalize` and of the migration corpus (`examples/corpus/*/`) runs twice, through `tend test`'s own runner against the offline cluster and
/// against the real control plane with the engine running its rules (``LiveRuleTest``), and after
/// each step the objects of both sides are compared (``DifferentialComparison``): those the step's
/// expectations name, those the test applied, patched or deleted, and those the rules manage in the
/// test's namespaces. Any difference fails with a diff of both sides, unless it is listed in
/// ``knownDifferences``. docs/planning.md says what is compared and what is ignored.
@Suite(.serialized, .enabled(if: LocalCluster.shouldRun), .timeLimit(.minutes(8)))
struct DifferentialClusterTests {
    /// One RuleTest: its file (relative to the package root) and name, and how long its `wait:`s
    /// add up to.
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var name: String
        var waits: Duration
        var testDescription: String { "\(file) \(name)" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every RuleTest under `rules/*/`, `examples/meet/`, `examples/policies/`, `examples/readiness/`, `examples/lookups/`,
    /// `examples/finalize/` and `examples/corpus/*/`.
    static let allCases: [Case] = {
        var files: [String] = []
        let fm = FileManager.default
        for rule in ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("rules").path)) ?? []).sorted() {
            for f in ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("rules/\(rule)").path)) ?? []).sorted() where f.hasSuffix(".test.yaml") {
                files.append("rules/\(rule)/\(f)")
            }
        }
        let corpus = ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("examples/corpus").path)) ?? []).sorted()
            .map { "examples/corpus/\($0)" }.filter { fm.fileExists(atPath: root.appendingPathComponent($0).path + "/README.md") }
        for dir in ["examples/meet", "examples/policies", "examples/readiness", "examples/lookups", "examples/finalize"] + corpus {
            for f in ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []).sorted() where f.hasSuffix(".test.yaml") {
                files.append("\(dir)/\(f)")
            }
        }
        return files.flatMap { file in
            RuleTest.load(file: root.appendingPathComponent(file).path).tests.map {
                Case(file: file, name: $0.name, waits: $0.steps.compactMap(\.wait).reduce(.zero, +))
            }
        }
    }()

    /// Tests whose `wait:`s add up to more than this sleep too long live: they are skipped.
    static let longestLiveWait: Duration = .seconds(20)
    /// Tests compared offline only, with the reason. A chain of timed phases cannot be compared step
    /// by step: live, each transition fires its `for:` after the previous one while the steps' real
    /// waits also include the wait for quiet, so the two clocks drift apart by design; the live
    /// behaviour is RulesMeetClusterTests' (a chain of three `for: 3s` phases in 9-15 s).
    /// scale-deployment-zero applies the ReplicaSets and Pods a Deployment controller would make,
    /// with ownerReferences whose uids a test cannot know: live, the garbage collector deletes such
    /// dependents of a missing owner, which the offline cluster (running no controllers) does not.
    static let offlineOnly: [String: String] = [
        "ladder": "a chain of timed phases: the step clocks cannot be aligned live",
        "scale-deployment-zero": "stands in for controllers' ReplicaSets and Pods with made-up owner uids, which the garbage collector deletes live",
    ]
    static let cases = allCases.filter { $0.waits <= longestLiveWait && offlineOnly[$0.name] == nil }
    static let tooLong = allCases.filter { $0.waits > longestLiveWait || offlineOnly[$0.name] != nil }

    /// Differences between the offline cluster and the API server that are known and not fixed:
    /// reported, not failed. An entry that no longer occurs fails, so the list shows what is left.
    static let knownDifferences: [KnownDifference] = []

    /// Reported as skipped, naming the tests, when there are any.
    @Test(.disabled(if: !tooLong.isEmpty, Comment(rawValue: "not run live (waits over \(longestLiveWait), or offline only: \(offlineOnly)): \(tooLong.map(\.testDescription))")), arguments: tooLong)
    func waitsTooLongToRunLive(_ testCase: Case) {}

    @Test(arguments: cases)
    func offlineAndLiveAgree(_ testCase: Case) async throws {
        let loaded = RuleTest.load(file: Self.root.appendingPathComponent(testCase.file).path)
        let test = try #require(loaded.tests.first { $0.name == testCase.name }, "\(loaded.diagnostics)")
        let ruleSet = RuleLoader().load(paths: test.rulePaths)
        try #require(!ruleSet.hasErrors, "\(ruleSet.diagnostics)")
        let cluster = try LocalCluster.require()

        // Offline: tend test's runner, keeping the cluster as each step left it.
        var offline: [OfflineCluster] = []
        let results = test.run(rules: ruleSet.rules) { _, _, cluster in offline.append(cluster) }
        for r in results where !r.passed { Issue.record("offline, step \(r.step) fails its own expectations: \(r.failures.joined(separator: "\n"))") }

        let client = KubeClient(configuration: cluster.configuration)
        let live = LiveRuleTest(test: test, rules: ruleSet.rules, client: client)
        // The shipped rules watch cluster-wide: no other test may run them meanwhile.
        let steps = try await ExclusiveClusterObject.holding(Set(live.crds.keys).union([ExclusiveClusterObject.shippedRules])) {
            try await Self.runLive(live, offline: offline)
        }
        await client.shutdown()
        let known = Self.knownDifferences.filter { $0.test == test.name }
        var used = Set<Int>()
        for (index, outcome) in steps.enumerated() {
            let step = test.steps[index]
            if !outcome.report.quiet { Issue.record("\(test.name), step \"\(step.name)\": the cluster did not become quiet within \(live.quietTimeout) (\(live.namespaceDeletionTimeout) while a Namespace terminates)") }
            for (object, message) in outcome.report.rejected {
                Issue.record("\(test.name) (\(testCase.file)), step \(index + 1) \"\(step.name)\": the offline cluster took a write of \(object) that the API server rejected: \(message)")
            }
            for difference in outcome.differences {
                if let k = known.firstIndex(where: { $0.matches(test: test.name, step: step.name, difference) }) {
                    used.insert(k)
                    print("known difference: \(test.name), step \"\(step.name)\": \(known[k].reason)\n\(difference)")
                } else {
                    Issue.record("\(test.name) (\(testCase.file)), step \(index + 1) \"\(step.name)\": \(difference)")
                }
            }
        }
        for (k, entry) in known.enumerated() where !used.contains(k) {
            Issue.record("known difference no longer occurs, remove it from the list: \(entry)")
        }
    }

    /// What one step of the live run found.
    struct StepOutcome: Sendable {
        var report: LiveRuleTest.StepReport
        var differences: [Difference]
    }

    /// Carries out the test live, comparing each step with the offline cluster as that step left it;
    /// tears down whatever happens.
    static func runLive(_ live: LiveRuleTest, offline: [OfflineCluster]) async throws -> [StepOutcome] {
        var outcomes: [StepOutcome] = []
        do {
            try await live.prepare()
            try await live.startEngine()
            for (index, step) in live.test.steps.enumerated() {
                let report = try await live.carryOut(step)
                let stepNamed = Set((step.present + step.absent).compactMap { live.reference(of: $0) })
                let managedOffline = managed(offline[index], rules: live.rules, namespaces: live.namespaces)
                let liveSide = await live.snapshot(stepNamed.union(live.touched).union(managedOffline.compactMap { ObjectReference(of: $0) }))
                var offlineSide = DifferentialSnapshot(managedOffline)
                for ref in stepNamed.union(live.touched).union(liveSide.objects.keys) where offlineSide.objects[ref] == nil {
                    if let o = offline[index].get(ref.kind, namespace: ref.key.namespace, name: ref.key.name) { offlineSide.objects[ref] = o }
                }
                outcomes.append(StepOutcome(report: report, differences: DifferentialComparison.differences(offline: offlineSide, live: liveSide)))
            }
        } catch {
            await live.tearDown()
            throw error
        }
        await live.tearDown()
        return outcomes
    }

    /// The offline objects the rules manage (label `tend.dev/rule`) in the test's namespaces.
    static func managed(_ cluster: OfflineCluster, rules: [Rule], namespaces: Set<String>) -> [Value] {
        let names = Set(rules.map(\.name))
        return cluster.world.all.filter { object in
            guard let rule = object["metadata"]?["labels"]?[Rule.ruleLabel]?.stringValue, names.contains(rule) else { return false }
            return namespaces.contains(object["metadata"]?["namespace"]?.stringValue ?? "")
        }
    }
}
