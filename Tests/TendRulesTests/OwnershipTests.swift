import Foundation
import Testing
import TendMeta
@testable import TendOffline
@testable import TendRules
import TendValue
import TendYAML

/// Per-rule ownership: field managers, inventory and finalizer names, the takeover of the former
/// single manager's fields, the inventory of kinds a snapshot does not hold, and rules that would set
/// the same field (``RuleConflicts``).
@Suite struct OwnershipTests {
    static let secretKind = GroupVersionKind(apiVersion: "v1", kind: "Secret")!

    @Test func eachRuleWritesAsItself() throws {
        let rule = try compileRule(webappRule)
        #expect(rule.fieldManager == "tend/webapp")
        #expect(rule.statusFieldManager == "tend/webapp/status")
        #expect(rule.inventoryAnnotation == "inventory.tend.dev/webapp")
        #expect(rule.finalizer == "cleanup.tend.dev/webapp")
        #expect(Rule.ruleName(ofManager: "tend/webapp") == "webapp")
        #expect(Rule.ruleName(ofManager: "tend/webapp/status") == "webapp")
        #expect(Rule.ruleName(ofManager: "tend") == nil)
        #expect(Rule.ruleName(ofManager: "kubectl-edit") == nil)
        #expect(rule.handlesFinalizer("tend.dev/cleanup") && rule.handlesFinalizer("cleanup.tend.dev/webapp"))
        #expect(!rule.handlesFinalizer("cleanup.tend.dev/other"))
    }

    /// A manager entry as the API server writes it.
    static func entry(_ manager: String, _ operation: String, _ fields: Value, subresource: String? = nil) -> Value {
        var e: Value = ["manager": .string(manager), "operation": .string(operation), "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields]
        if let subresource { e["subresource"] = .string(subresource) }
        return e
    }

    @Test func theFormerManagersApplyEntriesAreMergedIntoTheRules() throws {
        let rule = try compileRule(webappRule)
        let object: Value = ["metadata": ["resourceVersion": "7", "managedFields": [
            Self.entry("tend", "Apply", ["f:metadata": ["f:annotations": ["f:tend.dev/inventory": [:]], "f:finalizers": ["v:\"tend.dev/cleanup\"": [:]]], "f:status": ["f:phase": [:]]]),
            Self.entry("tend/webapp", "Apply", ["f:metadata": ["f:annotations": ["f:inventory.tend.dev/webapp": [:]]]]),
            Self.entry("tend", "Update", ["f:metadata": ["f:finalizers": ["v:\"example.com/keep\"": [:]]]]),
            Self.entry("kubectl-edit", "Update", ["f:spec": ["f:x": [:]]]),
        ]]]
        #expect(LegacyOwnership.needsTakeover(object) && OwnershipTakeover.isNeeded(object, by: rule))
        let takeover = try #require(OwnershipTakeover.takeover(of: object, by: rule))
        #expect(takeover.releases, "the legacy bookkeeping is not in the rule's entry: the next apply releases it")
        let fields = takeover.managedFields
        #expect(fields.map { $0["manager"]?.stringValue ?? "" } == ["tend/webapp", "tend", "kubectl-edit", "tend/webapp/status"],
                "the Apply entry is taken over; an Update entry of a client called tend stays")
        #expect(fields[1]["operation"] == "Update")
        #expect(fields[0]["fieldsV1"] == ["f:metadata": ["f:annotations": ["f:inventory.tend.dev/webapp": [:], "f:tend.dev/inventory": [:]], "f:finalizers": ["v:\"tend.dev/cleanup\"": [:]]]],
                "the rule now owns the legacy bookkeeping, so its next apply releases it")
        #expect(fields[3]["fieldsV1"] == ["f:status": ["f:phase": [:]]], "status fields go to the status manager")
        #expect(fields[3]["operation"] == "Apply")
        let patch = OwnershipTakeover.patch(installing: fields, on: object)
        #expect(patch[0] == ["op": "test", "path": "/metadata/resourceVersion", "value": "7"])
        #expect(OwnershipTakeover.takeover(of: ["metadata": ["managedFields": .array(fields)]], by: rule) == nil, "nothing left to take over")
        #expect(!LegacyOwnership.needsTakeover(["metadata": ["managedFields": [Self.entry("tend", "Update", ["f:data": [:]])]]]))
        #expect(!OwnershipTakeover.isNeeded(["metadata": ["managedFields": [Self.entry("tend", "Update", ["f:data": [:]])]]], by: rule))
    }

    @Test func aNewerServersStatusEntryKeepsItsSubresource() throws {
        let rule = try compileRule(webappRule)
        let object: Value = ["metadata": ["managedFields": [Self.entry("tend", "Apply", ["f:status": ["f:phase": [:]]], subresource: "status")]]]
        let fields = try #require(OwnershipTakeover.takeover(of: object, by: rule)).managedFields
        #expect(fields.count == 1)
        #expect(fields[0]["manager"] == "tend/webapp/status" && fields[0]["subresource"] == "status")
    }

    /// A child created by a `POST` as the rule: the create's Update entry joins the rule's Apply
    /// entry; the status manager's entries and other managers' stay.
    @Test func theCreatesUpdateEntryJoinsTheRulesApplyEntry() throws {
        let rule = try compileRule(webappRule)
        let others = [
            Self.entry("tend/webapp/status", "Update", ["f:status": ["f:x": [:]]], subresource: "status"),
            Self.entry("kubectl-edit", "Update", ["f:data": ["f:y": [:]]]),
        ]
        let created: Value = ["metadata": ["managedFields": .array([Self.entry("tend/webapp", "Update", ["f:data": ["f:a": [:], "f:old": [:]]])] + others)]]
        #expect(OwnershipTakeover.isNeeded(created, by: rule))
        let alone = try #require(OwnershipTakeover.takeover(of: created, by: rule))
        #expect(alone.managedFields.map { "\($0["manager"]?.stringValue ?? ""):\($0["operation"]?.stringValue ?? "")" } == ["tend/webapp/status:Update", "kubectl-edit:Update", "tend/webapp:Apply"])
        #expect(alone.managedFields[2]["fieldsV1"] == ["f:data": ["f:a": [:], "f:old": [:]]])
        #expect(alone.releases, "a new Apply entry: what the apply does not set is released")

        // Beside the Apply entry of the apply that found it.
        var applied = created
        applied["metadata"]?["managedFields"] = .array([Self.entry("tend/webapp", "Apply", ["f:data": ["f:a": [:]]])] + (created["metadata"]?["managedFields"]?.arrayValue ?? []))
        let merged = try #require(OwnershipTakeover.takeover(of: applied, by: rule))
        #expect(merged.managedFields.count == 3)
        #expect(merged.managedFields[0]["fieldsV1"] == ["f:data": ["f:a": [:], "f:old": [:]]])
        #expect(merged.releases, "data.old is no longer applied")

        let covered: Value = ["metadata": ["managedFields": .array([
            Self.entry("tend/webapp", "Apply", ["f:data": ["f:a": [:]]]), Self.entry("tend/webapp", "Update", ["f:data": ["f:a": [:]]]),
        ] + others)]]
        #expect(try #require(OwnershipTakeover.takeover(of: covered, by: rule)).releases == false, "the apply already owns every field")
        #expect(!OwnershipTakeover.isNeeded(["metadata": ["managedFields": .array(others)]], by: rule))
    }

    /// A snapshot that does not hold Secrets, like an informer cache without an informer for them.
    struct PartialWorld: WorldSnapshot {
        var inner: InMemoryWorld
        func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value? { inner.object(kind, namespace: namespace, name: name) }
        func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value] {
            kind == OwnershipTests.secretKind ? [] : inner.list(kind, namespace: namespace, labelSelector: labelSelector)
        }
        func isNamespaced(_ kind: GroupVersionKind) -> Bool? { kind == OwnershipTests.secretKind ? nil : inner.isNamespaced(kind) }
        func holds(_ kind: GroupVersionKind) -> Bool { kind != OwnershipTests.secretKind }
        func recordedKinds(ofRule rule: String) -> Set<String> { inner.recordedKinds(ofRule: rule) }
    }

    static let withSecret = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: fan}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}}
            - id: token
              template: {apiVersion: v1, kind: Secret, metadata: {name: "${self.metadata.name}-token"}}
        """

    @Test func aKindOnlyTheInventoryRecordNamesIsSearchedOnceTheCacheHoldsIt() throws {
        let full = try compileRule(Self.withSecret)
        let parentValue: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "namespace": "t"]]
        var run = OfflineRun(rules: [full], cluster: OfflineCluster(objects: [parentValue]), now: now)
        let first = try #require(run.plans().first)
        #expect(first.kindsToRecord == ["v1/ConfigMap", "v1/Secret"], "recorded before the children are written")
        run.converge()
        #expect(run.cluster.get(Self.secretKind, namespace: "t", name: "p-token") != nil)
        #expect(run.cluster.world.recordedKinds(ofRule: "fan") == ["v1/ConfigMap", "v1/Secret"])
        // Nothing of the inventory on the watched object: the record is the rule's.
        let parent = try #require(run.cluster.get(configMapKind, namespace: "t", name: "p"))
        #expect(parent["metadata"]?["annotations"]?["inventory.tend.dev/fan"] == nil)
        #expect(try #require(run.plans().first).kindsToRecord.isEmpty, "a kind is recorded once")

        let smaller = try compileRule(Self.withSecret.components(separatedBy: "    - id: token")[0])
        // The cache has no informer for Secrets: the kind cannot be searched yet (the engine starts one).
        let blind = Planner(rule: smaller).plan(parent: parent, world: PartialWorld(inner: run.cluster.world), now: now)
        #expect(blind.uncachedKinds == [Self.secretKind])
        #expect(blind.prune.isEmpty)
        // Once it can be searched, the Secret is pruned; the record keeps the kind.
        let seeing = Planner(rule: smaller).plan(parent: parent, world: run.cluster.world, now: now)
        #expect(seeing.prune.map(\.key.name) == ["p-token"])
        #expect(seeing.kindsToRecord.isEmpty)
        run.rules = [smaller]
        run.converge()
        #expect(run.cluster.get(Self.secretKind, namespace: "t", name: "p-token") == nil)
        #expect(run.cluster.get(configMapKind, namespace: "t", name: "p-copy") != nil)
    }

    @Test func aLegacyInventoryAnnotationIsSearchedAndCarriedIntoTheRecord() throws {
        let smaller = try compileRule(Self.withSecret.components(separatedBy: "    - id: token")[0])
        // Written by an earlier Tend: the kinds on the watched object, a Secret child of a template since removed.
        let parent: Value = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "p", "namespace": "t", "uid": "u1", "annotations": ["inventory.tend.dev/fan": "v1/ConfigMap,v1/Secret"]],
        ]
        let token: Value = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": "p-token", "namespace": "t", "labels": [Rule.ruleLabel: "fan", Rule.ownerUIDLabel: "u1"], "annotations": [Rule.childIDAnnotation: "token"]],
        ]
        let world = InMemoryWorld(objects: [parent, token])
        let plan = Planner(rule: smaller).plan(parent: parent, world: world, now: now)
        #expect(plan.kindsToRecord == ["v1/ConfigMap", "v1/Secret"])
        #expect(plan.prune.map(\.key.name) == ["p-token"])
        var recorded = world
        recorded.recordedKinds["fan"] = ["v1/ConfigMap", "v1/Secret"]
        #expect(Planner(rule: smaller).plan(parent: parent, world: recorded, now: now).kindsToRecord.isEmpty)
    }

    /// `tend plan --state` on a dump of a cluster: the record in it is the rule's, so a template
    /// removed since still has its children pruned.
    @Test func aRecordInTheStateIsTheRulesRecord() throws {
        let smaller = try compileRule(Self.withSecret.components(separatedBy: "    - id: token")[0])
        let parent: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "p", "namespace": "t", "uid": "u1"]]
        let token: Value = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": "p-token", "namespace": "t", "labels": [Rule.ruleLabel: "fan", Rule.ownerUIDLabel: "u1"], "annotations": [Rule.childIDAnnotation: "token"]],
        ]
        let record = InventoryRecord.configMap(namespace: "tend-system", rule: "fan", kinds: ["v1/ConfigMap", "v1/Secret"])
        let run = OfflineRun(rules: [smaller], cluster: OfflineCluster(objects: [parent, token, record]), now: now)
        #expect(run.cluster.world.recordedKinds(ofRule: "fan") == ["v1/ConfigMap", "v1/Secret"])
        let plan = try #require(run.plans().first { $0.parent.key.name == "p" })
        #expect(plan.prune.map(\.key.name) == ["p-token"])
        // Without it, the Secret is not searched: nothing names its kind.
        let blind = OfflineRun(rules: [smaller], cluster: OfflineCluster(objects: [parent, token]), now: now)
        #expect(try #require(blind.plans().first { $0.parent.key.name == "p" }).prune.isEmpty)
    }

    @Test func theLegacyInventoryIsReadToo() throws {
        let rule = try compileRule(Self.withSecret)
        let parent: Value = ["metadata": ["annotations": ["tend.dev/inventory": "v1/Secret", "inventory.tend.dev/fan": "v1/ConfigMap"]]]
        #expect(rule.inventoryKinds(of: parent).sorted() == ["v1/ConfigMap", "v1/Secret"])
    }

    func loadConflicts(_ text: String) throws -> [Diagnostic] {
        let file = NSTemporaryDirectory() + "conflicts-\(UUID().uuidString).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return RuleLoader().load(paths: [file]).diagnostics
    }

    static func patchRule(_ name: String, selector: String?, labels: String, namespaces: String? = nil) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: \(name)}
        spec:
          watch:
            apiVersion: v1
            kind: ConfigMap
        \(selector.map { "    selector: {matchLabels: {\($0)}}" } ?? "")
        \(namespaces.map { "    namespaces: [\($0)]" } ?? "")
          patch:
            metadata:
              labels: {\(labels)}
        """
    }

    @Test func twoRulesSettingOneFieldAreAnErrorAtBothPlaces() throws {
        let text = [
            Self.patchRule("a", selector: "tier: web", labels: "owner: a, only-a: x"),
            Self.patchRule("b", selector: nil, labels: "owner: b"),
        ].joined(separator: "\n---\n")
        let diagnostics = try loadConflicts(text)
        #expect(diagnostics.count == 2, "\(diagnostics)")
        let error = try #require(diagnostics.first { $0.severity == .error })
        #expect(error.message.contains("rules \"a\" and \"b\" both set metadata.labels.owner"))
        let note = try #require(diagnostics.first { $0.severity == .note })
        #expect(note.message == "rule \"a\" sets metadata.labels.owner here")
        #expect(error.location.line > note.location.line)
    }

    @Test func rulesThatNeverSelectTheSameObjectDoNotConflict() throws {
        let bySelector = [
            Self.patchRule("a", selector: "tier: web", labels: "owner: a"),
            Self.patchRule("b", selector: "tier: db", labels: "owner: b"),
        ].joined(separator: "\n---\n")
        #expect(try loadConflicts(bySelector).isEmpty)
        let byNamespace = [
            Self.patchRule("a", selector: nil, labels: "owner: a", namespaces: "shop"),
            Self.patchRule("b", selector: nil, labels: "owner: b", namespaces: "blog"),
        ].joined(separator: "\n---\n")
        #expect(try loadConflicts(byNamespace).isEmpty)
        let differentFields = [
            Self.patchRule("a", selector: nil, labels: "owner: a"),
            Self.patchRule("b", selector: nil, labels: "team: b"),
        ].joined(separator: "\n---\n")
        #expect(try loadConflicts(differentFields).isEmpty)
    }

    @Test func twoRulesWritingOnePhaseConflict() throws {
        func phased(_ name: String) -> String {
            """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(name)}
            spec:
              watch: {apiVersion: example.com/v1, kind: WebApp}
              status:
                phase: {initial: Pending, transitions: [{from: [Pending], to: Running, when: "${true}"}]}
            """
        }
        let diagnostics = try loadConflicts(phased("a") + "\n---\n" + phased("b"))
        #expect(diagnostics.contains { $0.severity == .error && $0.message.contains("both set status.phase") }, "\(diagnostics)")
    }

    @Test func oneKindDeclaredByTwoRulesIsAnError() throws {
        func declaring(_ name: String) -> String {
            """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(name)}
            spec:
              schema: {group: example.com, version: v1, kind: Widget, spec: {size: {type: integer}}}
              watch: {apiVersion: example.com/v1, kind: Widget}
            """
        }
        let diagnostics = try loadConflicts(declaring("a") + "\n---\n" + declaring("b"))
        #expect(diagnostics.contains { $0.severity == .error && $0.message.contains("rule \"b\" declares the kind Widget (CRD widgets.example.com) that rule \"a\" declares") }, "\(diagnostics)")
    }

    @Test func aPhaseKeptElsewhereIsDeclaredInTheCRD() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: states}
            spec:
              schema: {group: example.com, version: v1, kind: Widget, spec: {}}
              watch: {apiVersion: example.com/v1, kind: Widget}
              status:
                phase: {path: status.state, initial: New, transitions: [{from: [New], to: Old, when: "${true}"}]}
            """)
        let crd = try #require(rule.schema).customResourceDefinition(phasePath: rule.status.phase?.path)
        let status = crd["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?["properties"]?["status"]?["properties"]
        #expect(status?["state"] == ["type": "string"])
    }

    @Test func aRulesPatchIsACoverageItem() throws {
        let rule = try compileRule(Self.patchRule("labels", selector: nil, labels: "owner: a"))
        var coverage = RuleCoverage(rule: rule)
        #expect(coverage.items.map(\.subject) == ["patch"])
        var run = OfflineRun(rules: [rule], cluster: OfflineCluster(objects: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "t"]]]), now: now, collectCoverage: true)
        run.converge()
        coverage.merge(try #require(run.coverage?.first))
        #expect(coverage.percent == 100, "\(coverage.uncovered.map(\.subject))")
    }
}

