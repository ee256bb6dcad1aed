import Foundation
import Testing
import TendKube
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// The model of fields the API server refuses to change (``ImmutableFields``), the `-/+ replace`
/// plans it gives `updatePolicy: recreate` and `replace`, and the offline cluster refusing such
/// updates as the API server does. ImmutableFieldsDifferentialTests runs the same cases on a real
/// API server.
@Suite struct ImmutableFieldsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var initial: Value
        var update: Value
        /// The field the API server names when it refuses the update; nil when it accepts it.
        var refused: String?
        var testDescription: String { name }
    }

    static func object(_ yaml: String) -> Value { try! YAML.parse(yaml, file: "case.yaml").value }

    static let job = object("""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: job}
        spec:
          completions: 1
          parallelism: 1
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: "busybox:1.36", command: ["true"]}]
        """)
    static let deployment = object("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web, tier: front}}
            spec: {containers: [{name: main, image: "busybox:1.36"}]}
        """)
    static let statefulSet = object("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          replicas: 1
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: main, image: "busybox:1.36"}]}
        """)
    static let pod = object("""
        apiVersion: v1
        kind: Pod
        metadata: {name: pod}
        spec:
          containers: [{name: main, image: "busybox:1.36"}]
          tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
        """)
    static func service(ip: String) -> Value {
        object("""
            apiVersion: v1
            kind: Service
            metadata: {name: svc}
            spec: {clusterIP: "\(ip)", ports: [{port: 80, protocol: TCP}]}
            """)
    }
    static func frozen(_ kind: String, immutable: Bool) -> Value {
        object("""
            apiVersion: v1
            kind: \(kind)
            metadata: {name: frozen}
            immutable: \(immutable)
            data: {a: \(kind == "Secret" ? "MQ==" : "\"1\"")}
            """)
    }
    static let roleBinding = object("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: rb}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects: [{kind: ServiceAccount, name: default}]
        """)
    static let claim = object("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: claim}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        """)

    static func changed(_ v: Value, _ path: String, _ to: Value) -> Value {
        var v = v
        try! v.set(FieldPath(parsing: path), to: to)
        return v
    }

    /// Service cluster IPs are picked per run by the differential test; these are for the pure test.
    static func cases(ip: Int = 77) -> [Case] {
        [
            Case(name: "Job template", initial: job, update: changed(job, "spec.template.spec.containers[0].image", "busybox:1.35"), refused: "spec.template"),
            Case(name: "Job completions", initial: job, update: changed(job, "spec.completions", 2), refused: "spec.completions"),
            Case(name: "Job parallelism", initial: job, update: changed(job, "spec.parallelism", 2), refused: nil),
            Case(name: "Deployment selector", initial: deployment, update: changed(deployment, "spec.selector.matchLabels", ["app": "web", "tier": "front"]), refused: "spec.selector"),
            Case(name: "Deployment replicas and labels", initial: deployment, update: changed(changed(deployment, "spec.replicas", 2), "spec.template.metadata.labels.tier", "back"), refused: nil),
            Case(name: "StatefulSet serviceName", initial: statefulSet, update: changed(statefulSet, "spec.serviceName", "db2"), refused: "spec"),
            Case(name: "StatefulSet replicas", initial: statefulSet, update: changed(statefulSet, "spec.replicas", 2), refused: nil),
            Case(name: "Pod env", initial: pod, update: changed(pod, "spec.containers[0].env", [["name": "A", "value": "b"]]), refused: "spec"),
            Case(name: "Pod image", initial: pod, update: changed(pod, "spec.containers[0].image", "busybox:1.35"), refused: nil),
            Case(name: "Pod toleration added", initial: pod, update: changed(pod, "spec.tolerations[1]", ["key": "b", "operator": "Exists", "effect": "NoSchedule"]), refused: nil),
            Case(name: "Pod tolerations removed", initial: pod, update: changed(pod, "spec.tolerations", []), refused: "spec.tolerations"),
            Case(name: "Service cluster IP", initial: service(ip: "10.0.0.\(ip)"), update: service(ip: "10.0.0.\(ip + 1)"), refused: "spec.clusterIPs[0]"),
            Case(name: "immutable ConfigMap", initial: frozen("ConfigMap", immutable: true), update: changed(frozen("ConfigMap", immutable: true), "data.a", "2"), refused: "data"),
            Case(name: "mutable ConfigMap", initial: frozen("ConfigMap", immutable: false), update: changed(frozen("ConfigMap", immutable: false), "data.a", "2"), refused: nil),
            Case(name: "immutable Secret", initial: frozen("Secret", immutable: true), update: changed(frozen("Secret", immutable: true), "data.a", "Mg=="), refused: "data"),
            Case(name: "RoleBinding roleRef", initial: roleBinding, update: changed(roleBinding, "roleRef.name", "edit"), refused: "roleRef"),
            Case(name: "PVC storage class", initial: claim, update: changed(claim, "spec.storageClassName", "other"), refused: "spec"),
            Case(name: "PVC labels", initial: claim, update: changed(claim, "metadata.labels", ["a": "b"]), refused: nil),
        ]
    }

    @Test(arguments: cases())
    func theModelRefusesWhatTheAPIServerRefuses(_ c: Case) {
        let refusal = ImmutableFields.refusal(live: c.initial, updated: ImmutableFields.overlaid(c.update, on: c.initial))
        #expect(refusal?.field == c.refused, "\(refusal?.description ?? "accepted")")
    }

    @Test func refusalsAreWordedAsTheAPIServerWordsThem() throws {
        let job = try #require(ImmutableFields.refusal(live: Self.job, updated: Self.changed(Self.job, "spec.completions", 2)))
        #expect(job.description == "Job.batch \"job\" is invalid: spec.completions: Invalid value: 2: field is immutable")
        let pod = try #require(ImmutableFields.refusal(live: Self.pod, updated: Self.changed(Self.pod, "spec.restartPolicy", "Never")))
        #expect(pod.description == "Pod \"pod\" is invalid: spec: " + ImmutableFields.podUpdateRule)
    }

    // MARK: Plans and the offline cluster

    static func rule(policy: String) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: batch}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {batch: "yes"}}}
          children:
            - id: job
              updatePolicy: \(policy)
              template:
                apiVersion: batch/v1
                kind: Job
                metadata: {name: "${self.metadata.name}-job"}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: main, image: "${self.data.image}", command: ["true"]}]
        """
    }

    /// A cluster where the rule's Job exists for image 1.36, and the parent now asks for 1.35.
    static func clusterAfterImageChange(policy: String) throws -> (OfflineRun, Rule) {
        let (compiled, diagnostics) = RuleCompiler.compile(try YAML.parse(rule(policy: policy), file: "batch.yaml"))
        let rule = try #require(compiled, "\(diagnostics)")
        var parent: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "nightly", "namespace": "ops", "labels": ["batch": "yes"]], "data": ["image": "busybox:1.36"]]
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [parent]), now: Date())
        run.converge()
        parent["data"]?["image"] = "busybox:1.35"
        run.cluster.put(parent)
        return (run, rule)
    }

    static func job(in run: OfflineRun) -> Value? {
        run.cluster.get(GroupVersionKind(apiVersion: "batch/v1", kind: "Job")!, namespace: "ops", name: "nightly-job")
    }

    @Test func recreateShowsAnImmutableChangeAsReplaceAndReplacesTheObject() throws {
        var (run, _) = try Self.clusterAfterImageChange(policy: "recreate")
        let uid = try #require(Self.job(in: run)?["metadata"]?["uid"])
        let plan = try #require(run.plans().first)
        let child = try #require(plan.children.first)
        #expect(child.action == .update)
        #expect(child.replacement == .immutable(ImmutableFields.Refusal(field: "spec.template", description: child.replacement.map { if case .immutable(let r) = $0 { r.description } else { "" } } ?? "")))
        let text = PlanRenderer(color: false).render(plan)
        #expect(text.contains("  -/+ replace Job.v1.batch ops/nightly-job (spec.template cannot change; updatePolicy: recreate)"), "\(text)")
        #expect(PlanRenderer.summarize([plan]).line == "0 to create, 0 to update, 1 to replace, 0 to delete, 0 status changes")
        // docs/rules.md shows this line as tend plan prints it.
        let docs = try String(contentsOf: DocsExamplesTests.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let shown = try #require(text.split(separator: "\n").first { $0.contains("-/+ replace") })
        #expect(docs.contains(shown.trimmingCharacters(in: .whitespaces)))
        #expect(docs.contains("(`0 to create, 0 to update, 1 to replace, 0 to delete`)"))
        #expect(PlanRenderer.json(plan)["actions"]?[0]?["action"] == "replace")
        run.converge()
        #expect(run.problems.isEmpty, "\(run.problems)")
        let replaced = try #require(Self.job(in: run))
        #expect(replaced["metadata"]?["uid"] != uid)
        #expect(replaced["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "busybox:1.35")
    }

    @Test func applyIsRefusedOfflineAsTheAPIServerRefusesIt() throws {
        var (run, _) = try Self.clusterAfterImageChange(policy: "apply")
        let plan = try #require(run.plans().first)
        #expect(plan.children.first?.action == .update && plan.children.first?.replacement == nil)
        run.converge()
        let failure = try #require(run.cluster.failures.last)
        #expect(failure.contains("Job.batch \"nightly-job\" is invalid: spec.template: Invalid value: "), "\(failure)")
        #expect(failure.hasSuffix(": field is immutable"), "\(failure)")
        #expect(Self.job(in: run)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "busybox:1.36")
    }

    @Test func replaceReplacesOnEveryChange() throws {
        var (run, _) = try Self.clusterAfterImageChange(policy: "replace")
        let plan = try #require(run.plans().first)
        #expect(plan.children.first?.replacement == .always)
        #expect(PlanRenderer(color: false).render(plan).contains("-/+ replace Job.v1.batch ops/nightly-job (updatePolicy: replace)"))
        run.converge()
        #expect(Self.job(in: run)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "busybox:1.35")
    }
}
