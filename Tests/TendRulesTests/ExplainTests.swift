import Foundation
import Testing
import TendMeta
import TendOffline
import TendRules
import TendValue

/// `tend explain`'s pure parts: selection checks per criterion, their agreement with `matches`,
/// and the planner's trace.
struct SelectionCheckTests {
    static func rule(_ watch: String) throws -> Rule {
        try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: r}
            spec:
              watch:
                apiVersion: example.com/v1
                kind: WebApp
            \(watch.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
              children: []
            """)
    }

    static func app(_ name: String = "shop", namespace: String = "team-a", labels: Value = ["tier": "web"], replicas: Int64 = 2, kind: String = "WebApp") -> Value {
        ["apiVersion": "example.com/v1", "kind": .string(kind), "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels], "spec": ["replicas": .int(replicas)]]
    }

    func check(_ checks: [SelectionCheck], _ criterion: SelectionCheck.Criterion) -> SelectionCheck? {
        checks.first { $0.criterion == criterion }
    }

    @Test func kindMismatchIsOneCheck() throws {
        let rule = try Self.rule("")
        let checks = rule.watch.explain(object: Self.app(kind: "Gadget"), namespaceLabels: nil)
        #expect(checks == [SelectionCheck(.kind, false, "watches WebApp.v1.example.com, not Gadget.v1.example.com")])
        let ok = rule.watch.explain(object: Self.app(), namespaceLabels: nil)
        #expect(ok.map(\.criterion) == [.kind, .namespace])
        #expect(ok.allSatisfy { $0.passed })
    }

    @Test func namespaceGlobs() throws {
        let rule = try Self.rule("namespaces: [\"team-*\", shop]")
        #expect(check(rule.watch.explain(object: Self.app(), namespaceLabels: nil), .namespace) == SelectionCheck(.namespace, true, "team-a matches team-*, shop"))
        #expect(check(rule.watch.explain(object: Self.app(namespace: "prod"), namespaceLabels: nil), .namespace) == SelectionCheck(.namespace, false, "prod matches none of team-*, shop"))
    }

    @Test func namespaceSelectorShowsTheNamespaceLabels() throws {
        let rule = try Self.rule("namespaceSelector: {matchLabels: {tend: enabled}}")
        let yes = check(rule.watch.explain(object: Self.app(), namespaceLabels: ["tend": "enabled", "other": "x"]), .namespace)
        #expect(yes == SelectionCheck(.namespace, true, "namespaceSelector tend=enabled matches namespace team-a labels {tend=enabled}"))
        let no = check(rule.watch.explain(object: Self.app(), namespaceLabels: ["tend": "off"]), .namespace)
        #expect(no == SelectionCheck(.namespace, false, "namespaceSelector tend=enabled does not match namespace team-a labels {tend=off}"))
    }

    @Test func labelSelectorShowsTheRelevantLabels() throws {
        let rule = try Self.rule("selector: {matchLabels: {tier: web}}")
        let yes = check(rule.watch.explain(object: Self.app(labels: ["tier": "web", "app": "x"]), namespaceLabels: nil), .labelSelector)
        #expect(yes == SelectionCheck(.labelSelector, true, "tier=web matches labels {tier=web}"))
        let no = check(rule.watch.explain(object: Self.app(labels: ["tier": "db"]), namespaceLabels: nil), .labelSelector)
        #expect(no == SelectionCheck(.labelSelector, false, "tier=web does not match labels {tier=db}"))
        let none = check(rule.watch.explain(object: Self.app(labels: [:]), namespaceLabels: nil), .labelSelector)
        #expect(none == SelectionCheck(.labelSelector, false, "tier=web does not match labels {}"))
    }

    @Test func fieldSelectorShowsTheFieldValues() throws {
        let rule = try Self.rule("fieldSelector: metadata.name!=legacy")
        #expect(check(rule.watch.explain(object: Self.app(), namespaceLabels: nil), .fieldSelector) == SelectionCheck(.fieldSelector, true, "metadata.name!=legacy (metadata.name=shop)"))
        #expect(check(rule.watch.explain(object: Self.app("legacy"), namespaceLabels: nil), .fieldSelector) == SelectionCheck(.fieldSelector, false, "metadata.name!=legacy (metadata.name=legacy)"))
    }

    @Test func namePattern() throws {
        let rule = try Self.rule("name: \"^shop-\"")
        #expect(check(rule.watch.explain(object: Self.app("shop-1"), namespaceLabels: nil), .name) == SelectionCheck(.name, true, "name shop-1 matches ^shop-"))
        #expect(check(rule.watch.explain(object: Self.app("cart"), namespaceLabels: nil), .name) == SelectionCheck(.name, false, "name cart does not match ^shop-"))
    }

    @Test func whenShowsItsValueOrItsError() throws {
        let rule = try Self.rule("when: ${self.spec.replicas > 1}")
        #expect(check(rule.watch.explain(object: Self.app(replicas: 3), namespaceLabels: nil), .when) == SelectionCheck(.when, true, "${self.spec.replicas > 1} is true"))
        #expect(check(rule.watch.explain(object: Self.app(replicas: 1), namespaceLabels: nil), .when) == SelectionCheck(.when, false, "${self.spec.replicas > 1} is false"))
        var noSpec = Self.app()
        noSpec["spec"] = nil
        let failed = try #require(check(rule.watch.explain(object: noSpec, namespaceLabels: nil), .when))
        #expect(!failed.passed)
        #expect(failed.detail.hasPrefix("${self.spec.replicas > 1} failed: "), "\(failed.detail)")
    }

    @Test func everyCriterionIsReportedEvenAfterOneFails() throws {
        let rule = try Self.rule("namespaces: [prod]\nselector: {matchLabels: {tier: web}}\nname: \"^x\"")
        let checks = rule.watch.explain(object: Self.app(), namespaceLabels: nil)
        #expect(checks.map(\.criterion) == [.kind, .namespace, .labelSelector, .name])
        #expect(checks.map(\.passed) == [true, false, true, false])
    }

    /// `matches` and `explain` run the same criteria: over a table of objects and rules they agree.
    @Test func explainAgreesWithMatches() throws {
        let rules = try [
            Self.rule(""),
            Self.rule("namespaces: [\"team-*\"]"),
            Self.rule("namespaceSelector: {matchLabels: {tend: enabled}}"),
            Self.rule("selector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}"),
            Self.rule("fieldSelector: metadata.name!=legacy,metadata.namespace=team-a"),
            Self.rule("name: \"^[a-z]+$\"\nwhen: ${self.spec.replicas >= 2}"),
            Self.rule("namespaces: [team-a]\nselector: {matchLabels: {tier: web}}\nwhen: ${self.metadata.labels.tier == 'web'}"),
        ]
        let objects: [(Value, Value?)] = [
            (Self.app(), ["tend": "enabled"]),
            (Self.app("legacy"), nil),
            (Self.app("shop2", namespace: "prod", labels: ["tier": "api"], replicas: 1), ["tend": "off"]),
            (Self.app(labels: [:], replicas: 0), ["tend": "enabled"]),
            (Self.app("cart", namespace: "team-b", labels: ["tier": "db"], replicas: 5), nil),
        ]
        var selected = 0
        for rule in rules {
            for (object, labels) in objects {
                let explained = rule.watch.explain(object: object, namespaceLabels: labels).allSatisfy(\.passed)
                #expect(explained == rule.watch.matches(object, namespaceLabels: labels), "\(rule.watch) on \(object)")
                if explained { selected += 1 }
            }
        }
        #expect(selected > 0 && selected < rules.count * objects.count, "the table must hold both outcomes")
    }
}

/// The planner's trace: what `tend explain` shows about children and the phase machine.
struct PlanTraceTests {
    func parent(expose: Bool, hosts: [String] = [], phase: String? = nil, pending: Value? = nil) -> Value {
        var p: Value = [
            "apiVersion": "example.com/v1", "kind": "WebApp",
            "metadata": ["name": "shop", "namespace": "team-a", "uid": "u1", "generation": 1],
            "spec": ["replicas": 2, "image": "nginx", "expose": .bool(expose), "hosts": .array(hosts.map(Value.string))],
        ]
        if let phase { p["status"] = ["phase": .string(phase)] }
        if let pending { p["status"]?["pendingTransition"] = pending }
        return p
    }

    func deployment(available: Int64?) -> Value {
        var d: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "shop", "namespace": "team-a", "labels": [.init(stringLiteral: Rule.ruleLabel): "webapp", .init(stringLiteral: Rule.ownerUIDLabel): "u1"]],
            "spec": ["replicas": 2],
        ]
        if let available { d["status"] = ["availableReplicas": .int(available)] }
        return d
    }

    @Test func untracedPlansCarryNoTraceAndTracingChangesNothingElse() throws {
        let rule = try compileRule(webappRule)
        let world = InMemoryWorld(objects: [deployment(available: 1)])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let plain = Planner(rule: rule).plan(parent: parent(expose: true), world: world, now: now)
        let traced = Planner(rule: rule, trace: true).plan(parent: parent(expose: true), world: world, now: now)
        #expect(plain.trace == nil)
        #expect(traced.trace != nil)
        #expect(PlanRenderer.json(plain) == PlanRenderer.json(traced))
        #expect(plain.readiness == traced.readiness)
    }

    @Test func includeWhenFalseNamesTheExpression() throws {
        let rule = try compileRule(webappRule)
        let plan = Planner(rule: rule, trace: true).plan(parent: parent(expose: false, hosts: ["www"]), world: InMemoryWorld(), now: Date())
        let trace = try #require(plan.trace)
        let service = try #require(trace.children.first { $0.id == "service" })
        #expect(service.outcome == .excluded)
        #expect(service.includeWhen == [PlanTrace.Evaluation(expression: "${self.spec.expose}", value: false)])
        // routes reads service, which is left out: it is left out with it.
        #expect(trace.children.first { $0.id == "routes" }?.outcome == .excludedWith("service"))
        let text = ExplainRenderer(color: false).render(ObjectExplanation(object: ObjectExplanation.reference(of: parent(expose: false)), rules: [.init(rule: "webapp", checks: [SelectionCheck(.kind, true, "watches WebApp")], plan: plan)]))
        #expect(text.contains("    service: left out by includeWhen\n      no includeWhen ${self.spec.expose} is false\n"), "\(text)")
        #expect(text.contains("    routes: left out: it reads service, which is left out\n"))
    }

    @Test func readyWhenFalseIsShown() throws {
        let rule = try compileRule(webappRule)
        let plan = Planner(rule: rule, trace: true).plan(parent: parent(expose: false), world: InMemoryWorld(objects: [deployment(available: 1)]), now: Date())
        let deployment = try #require(plan.trace?.children.first { $0.id == "deployment" })
        #expect(deployment.outcome == .planned)
        #expect(!deployment.ready)
        #expect(deployment.readyWhen == [PlanTrace.Evaluation(expression: "${deployment.status.availableReplicas == self.spec.replicas}", value: false)])
        let index = try #require(deployment.plannedIndex)
        #expect(plan.children[index].id == "deployment")
        let readyPlan = Planner(rule: rule, trace: true).plan(parent: parent(expose: false), world: InMemoryWorld(objects: [self.deployment(available: 2)]), now: Date())
        #expect(readyPlan.trace?.children.first { $0.id == "deployment" }?.ready == true)
        // Not there yet: readyWhen is not evaluated.
        let absent = Planner(rule: rule, trace: true).plan(parent: parent(expose: false), world: InMemoryWorld(), now: Date())
        #expect(absent.trace?.children.first { $0.id == "deployment" }?.readyWhen == [])
    }

    @Test func guardsHoldDoNotHoldOrAreShadowed() throws {
        let rule = try compileRule(webappRule)
        let running = Planner(rule: rule, trace: true).plan(parent: parent(expose: false, phase: "Pending"), world: InMemoryWorld(objects: [deployment(available: 2)]), now: Date())
        let phase = try #require(running.trace?.phase)
        #expect(phase.current == "Pending")
        #expect(phase.live == "Pending")
        #expect(phase.transitions.map(\.to) == ["Running"])
        #expect(phase.transitions.first?.verdict == .fires)
        #expect(running.phaseChange?.to == "Running")
        let stuck = Planner(rule: rule, trace: true).plan(parent: parent(expose: false, phase: "Running"), world: InMemoryWorld(objects: [deployment(available: 2)]), now: Date())
        #expect(stuck.trace?.phase?.transitions.map(\.verdict) == [.doesNotHold])
        #expect(stuck.trace?.phase?.transitions.first?.guardEvaluation == PlanTrace.Evaluation(expression: "${!ready.deployment}", value: false))
    }

    static let timedRule = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: timed}
        spec:
          watch: {apiVersion: example.com/v1, kind: WebApp}
          status:
            phase:
              initial: Running
              transitions:
                - {from: [Running], to: Broken, when: "${self.spec.broken}"}
                - {from: [Running], to: Degraded, when: "${!self.spec.healthy}", for: 5m}
                - {from: [Running], to: Odd, when: "${!self.spec.healthy}"}
        """

    func timed(healthy: Bool, broken: Value, since: String? = nil) -> Value {
        var p: Value = [
            "apiVersion": "example.com/v1", "kind": "WebApp", "metadata": ["name": "shop", "namespace": "team-a", "uid": "u1"],
            "spec": ["healthy": .bool(healthy), "broken": broken], "status": ["phase": "Running"],
        ]
        if let since { p["status"]?["pendingTransition"] = ["to": "Degraded", "since": .string(since)] }
        return p
    }

    @Test func aPendingForTransitionShowsWhenItIsDueAndShadowsLaterOnes() throws {
        let rule = try compileRule(Self.timedRule)
        let now = try #require(ISO8601DateFormatter().date(from: "2026-01-01T00:02:00Z"))
        let plan = Planner(rule: rule, trace: true).plan(parent: timed(healthy: false, broken: false, since: "2026-01-01T00:00:00Z"), world: InMemoryWorld(), now: now)
        let transitions = try #require(plan.trace?.phase?.transitions)
        #expect(transitions.map(\.to) == ["Broken", "Degraded", "Odd"])
        #expect(transitions[0].verdict == .doesNotHold)
        let since = try #require(ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z"))
        #expect(transitions[1].verdict == .pending(since: since, dueIn: .seconds(180)))
        #expect(transitions[1].holdFor == .seconds(300))
        #expect(transitions[2].verdict == .shadowed)
        #expect(transitions[2].guardEvaluation.value == true)
        #expect(plan.requeueAfter == .seconds(180))
        let text = ExplainRenderer(color: false).render(ObjectExplanation(object: ObjectExplanation.reference(of: timed(healthy: false, broken: false)), rules: [.init(rule: "timed", checks: [SelectionCheck(.kind, true, "watches WebApp")], plan: plan)]))
        #expect(text.contains("ok -> Degraded (from Running, for 5m0s): ${!self.spec.healthy} is true: pending since 2026-01-01T00:00:00Z, due in 3m0s"), "\(text)")
        #expect(text.contains("- -> Odd (from Running): ${!self.spec.healthy} is true: not considered, an earlier transition decides"))
    }

    @Test func aGuardThatFailsShowsItsError() throws {
        let rule = try compileRule(Self.timedRule)
        let plan = Planner(rule: rule, trace: true).plan(parent: timed(healthy: true, broken: "yes"), world: InMemoryWorld(), now: Date())
        let first = try #require(plan.trace?.phase?.transitions.first)
        #expect(first.verdict == .doesNotHold)
        #expect(first.guardEvaluation.value == nil)
        #expect(first.guardEvaluation.error?.contains("bool") == true, "\(String(describing: first.guardEvaluation.error))")
    }

    @Test func kindsResolveAsKubectlUsersTypeThem() {
        let kinds = [GroupVersionKind(apiVersion: "example.com/v1", kind: "WebApp")!, GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!,
                     GroupVersionKind(apiVersion: "networking.k8s.io/v1", kind: "Ingress")!, GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!]
        for typed in ["WebApp", "webapp", "webapps", "webapp.example.com", "webapps.v1.example.com"] {
            #expect(KindResolver.resolve(typed, among: kinds) == [kinds[0]], "\(typed)")
        }
        #expect(KindResolver.resolve("cm", among: kinds) == [kinds[1]])
        #expect(KindResolver.resolve("configmaps.v1", among: kinds) == [kinds[1]])
        #expect(KindResolver.resolve("ingresses", among: kinds) == [kinds[2]])
        #expect(KindResolver.resolve("webapps.other.io", among: kinds).isEmpty)
        #expect(KindResolver.resolve("gadget", among: kinds).isEmpty)
    }
}
