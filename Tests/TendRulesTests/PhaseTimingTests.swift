import Foundation
import Testing
import TendMeta
import TendOffline
import TendRules
import TendValue
import TendYAML

/// `for:` transitions, `phaseTransitionTime`, `phaseHistory` and transition reasons and messages.
@Suite struct PhaseTimingTests {
    static let rule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: timed}
        spec:
          watch: {apiVersion: example.com/v1, kind: WebApp}
          status:
            phase:
              initial: Pending
              transitions:
                - {from: ["*"], to: Failed, when: "${self.spec.broken == true}", reason: Broken}
                - {from: [Pending, Degraded], to: Running, when: "${self.spec.healthy}"}
                - {from: [Running], to: Degraded, when: "${!self.spec.healthy}", for: 5m, reason: Unhealthy, message: "unhealthy for ${self.spec.replicas} replicas"}
        """

    let webappKind = GroupVersionKind(apiVersion: "example.com/v1", kind: "WebApp")!
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func object(healthy: Bool, broken: Bool = false) -> Value {
        ["apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "shop", "namespace": "team-a", "uid": "u1"],
         "spec": ["healthy": .bool(healthy), "broken": .bool(broken), "replicas": 3]]
    }

    /// Reconciles `shop` once at `time` and carries the plan out.
    @discardableResult
    func reconcile(_ rule: Rule, _ cluster: inout OfflineCluster, at time: Date) throws -> ReconcilePlan {
        let parent = try #require(cluster.get(webappKind, namespace: "team-a", name: "shop"))
        let plan = Planner(rule: rule).plan(parent: parent, world: cluster.world, now: time)
        cluster.apply(plan)
        return plan
    }

    func status(_ cluster: OfflineCluster) -> Value? { cluster.get(webappKind, namespace: "team-a", name: "shop")?["status"] }

    func setHealthy(_ healthy: Bool, _ cluster: inout OfflineCluster) {
        var o = cluster.get(webappKind, namespace: "team-a", name: "shop")!
        o["spec"]?["healthy"] = .bool(healthy)
        cluster.world.put(o)
    }

    @Test func aForTransitionWaitsThenFiresWithReasonMessageAndHistory() throws {
        let rule = try compileRule(Self.rule)
        var cluster = OfflineCluster(objects: [object(healthy: false)])
        try reconcile(rule, &cluster, at: start)  // Pending, first written
        #expect(status(cluster)?["phase"] == "Pending")
        #expect(status(cluster)?["phaseTransitionTime"] == "2027-01-15T08:00:00Z")
        #expect(status(cluster)?["phaseHistory"] == nil)
        setHealthy(true, &cluster)
        try reconcile(rule, &cluster, at: start + 1)
        #expect(status(cluster)?["phase"] == "Running")
        #expect(status(cluster)?["phaseTransitionTime"] == "2027-01-15T08:00:01Z")

        setHealthy(false, &cluster)
        let t0 = start + 60
        let pending = try reconcile(rule, &cluster, at: t0)
        #expect(status(cluster)?["phase"] == "Running", "for: 5m must not fire at once")
        #expect(pending.phaseChange == nil)
        #expect(pending.requeueAfter == .seconds(300))
        #expect(status(cluster)?["pendingTransition"] == ["to": "Degraded", "since": "2027-01-15T08:01:00Z"])

        // Two minutes later: still pending since the same time, due in three minutes, no write.
        let again = try reconcile(rule, &cluster, at: t0 + 120)
        #expect(again.requeueAfter == .seconds(180))
        #expect(!again.statusChanged)
        #expect(PlanRenderer(color: false).render(again).contains("phase: Degraded pending since 2027-01-15T08:01:00Z, due in 3m0s"))
        #expect(PlanRenderer.json(again)["pendingTransition"]?["dueInSeconds"] == 180)

        // Five minutes after it started holding: fires.
        let fired = try reconcile(rule, &cluster, at: t0 + 300)
        #expect(fired.phaseChange == ReconcilePlan.PhaseChange(from: "Running", to: "Degraded", reason: "Unhealthy", message: "unhealthy for 3 replicas"))
        #expect(fired.phaseChange?.description == "Running -> Degraded (Unhealthy): unhealthy for 3 replicas")
        #expect(PlanRenderer(color: false).render(fired).contains("phase: Running -> Degraded (Unhealthy): unhealthy for 3 replicas"))
        #expect(fired.requeueAfter == nil)
        let s = try #require(status(cluster))
        #expect(s["phase"] == "Degraded")
        #expect(s["pendingTransition"] == nil, "the pending transition is removed once it fired")
        #expect(s["phaseTransitionTime"] == "2027-01-15T08:06:00Z")
        #expect(s["phaseHistory"]?.arrayValue?.map { $0["to"] } == ["Running", "Degraded"])
        #expect(s["phaseHistory"]?[1] == ["from": "Running", "to": "Degraded", "time": "2027-01-15T08:06:00Z", "reason": "Unhealthy", "message": "unhealthy for 3 replicas"])
    }

    @Test func aGuardThatStopsHoldingResetsTheTimer() throws {
        let rule = try compileRule(Self.rule)
        var cluster = OfflineCluster(objects: [object(healthy: true)])
        try reconcile(rule, &cluster, at: start)
        try reconcile(rule, &cluster, at: start + 1)
        setHealthy(false, &cluster)
        try reconcile(rule, &cluster, at: start + 10)
        #expect(status(cluster)?["pendingTransition"]?["to"] == "Degraded")

        setHealthy(true, &cluster)
        let recovered = try reconcile(rule, &cluster, at: start + 100)
        #expect(recovered.statusChanged, "dropping the pending transition is a status write")
        #expect(status(cluster)?["pendingTransition"] == nil)
        #expect(status(cluster)?["phase"] == "Running")

        // Unhealthy again: the five minutes count from now, not from the first time.
        setHealthy(false, &cluster)
        try reconcile(rule, &cluster, at: start + 200)
        try reconcile(rule, &cluster, at: start + 200 + 299)
        #expect(status(cluster)?["phase"] == "Running")
        try reconcile(rule, &cluster, at: start + 200 + 300)
        #expect(status(cluster)?["phase"] == "Degraded")
    }

    @Test func anEarlierTransitionWithoutForTakesPriorityOverAPendingOne() throws {
        let rule = try compileRule(Self.rule)
        var cluster = OfflineCluster(objects: [object(healthy: true)])
        try reconcile(rule, &cluster, at: start)
        try reconcile(rule, &cluster, at: start + 1)
        setHealthy(false, &cluster)
        try reconcile(rule, &cluster, at: start + 10)
        var o = cluster.get(webappKind, namespace: "team-a", name: "shop")!
        o["spec"]?["broken"] = true
        cluster.world.put(o)
        let plan = try reconcile(rule, &cluster, at: start + 20)
        #expect(plan.phaseChange?.to == "Failed")
        #expect(plan.phaseChange?.reason == "Broken")
        #expect(status(cluster)?["pendingTransition"] == nil)
    }

    @Test func historyKeepsTheLastTenTransitions() throws {
        let rule = try compileRule(Self.rule.replacingOccurrences(of: ", for: 5m", with: ""))
        var cluster = OfflineCluster(objects: [object(healthy: true)])
        var time = start
        for n in 0..<30 {
            setHealthy(n % 2 == 0, &cluster)
            try reconcile(rule, &cluster, at: time)
            time += 1
        }
        let history = try #require(status(cluster)?["phaseHistory"]?.arrayValue)
        #expect(history.count == Planner.phaseHistoryLimit)
        #expect(history.last?["time"]?.stringValue == RFC3339.format(time - 1))
    }

    @Test func forMustBeAPositiveDuration() throws {
        for (value, message) in [("0s", "more than 0"), ("5 minutes", "invalid duration"), ("1000h", "at most 720h")] {
            let doc = try YAML.parse(Self.rule.replacingOccurrences(of: "for: 5m", with: "for: \(value)"), file: "rule.yaml")
            let (rule, diagnostics) = RuleCompiler.compile(doc)
            #expect(rule.map { _ in true } == nil)
            #expect(diagnostics.contains { $0.message.contains(message) && $0.location.line == 12 }, "\(value): \(diagnostics)")
        }
    }
}

/// `tend test` steps with `wait:` move the offline clock, so `for:` transitions can be tested offline.
@Suite struct RuleTestWaitTests {
    func run(waitMinutes: Int?) throws -> [RuleTest.StepResult] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try PhaseTimingTests.rule.write(to: dir.appendingPathComponent("rule.yaml"), atomically: true, encoding: .utf8)
        let wait = waitMinutes.map { "      wait: \($0)m\n" } ?? ""
        let test = """
            apiVersion: tend.dev/v1alpha1
            kind: RuleTest
            metadata: {name: degrades}
            spec:
              rules: [rule.yaml]
              steps:
                - name: running
                  apply: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, spec: {healthy: true, replicas: 1}}]
                  expect: {present: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, status: {phase: Running}}]}
                - name: unhealthy, pending
                  patch: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, spec: {healthy: false}}]
                  expect: {present: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, status: {phase: Running, pendingTransition: {to: Degraded}}}]}
                - name: five minutes later
            \(wait)      expect: {present: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, status: {phase: Degraded}}]}
            """
        let testFile = dir.appendingPathComponent("rule.test.yaml").path
        try test.write(toFile: testFile, atomically: true, encoding: .utf8)
        let (tests, diagnostics) = RuleTest.load(file: testFile)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let rules = RuleLoader().load(paths: [dir.appendingPathComponent("rule.yaml").path]).rules
        return try #require(tests.first).run(rules: rules)
    }

    @Test func waitMovesTheClockSoAForTransitionFires() throws {
        let results = try run(waitMinutes: 5)
        #expect(results.map(\.passed) == [true, true, true], "\(results.flatMap(\.failures))")
    }

    @Test func withoutTheWaitTheTransitionIsStillPending() throws {
        let results = try run(waitMinutes: nil)
        #expect(results.map(\.passed) == [true, true, false])
    }
}
