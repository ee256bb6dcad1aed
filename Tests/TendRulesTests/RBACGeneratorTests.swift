import Foundation
import Testing
import TendMeta
import TendRules
import TendValue
import TendYAML

/// `tend rbac`'s generator: exact output for rules/webapp (golden files under Fixtures/rbac), and the
/// rules that decide each permission.
@Suite struct RBACGeneratorTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures/rbac"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func webapp() throws -> Rule {
        let loaded = RuleLoader().load(paths: [root.appendingPathComponent("rules/webapp/rule.yaml").path])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        return try #require(loaded.rules.first)
    }

    /// What `tend rbac` prints without its "Regenerate with" line.
    static func render(_ rules: [Rule], _ options: RBACGenerator.Options) throws -> String {
        let generator = RBACGenerator(options: options, resolver: ResourceResolver(rules: rules))
        let output = try generator.grants(for: rules)
        return RBACGenerator.explanation(output.grants, rules: rules.map(\.name)) + YAML.serializeDocuments(generator.manifests(for: output.grants))
    }

    static func grants(_ yaml: String, _ options: RBACGenerator.Options = .init()) throws -> [RBACGenerator.Grant] {
        let rule = try compileRule(yaml)
        return try RBACGenerator(options: options, resolver: ResourceResolver(rules: [rule])).grants(for: [rule]).grants
    }

    /// `resource` (with `.group` unless core, then ` name` when limited to one object) → verbs, for one scope.
    static func table(_ grants: [RBACGenerator.Grant], scope: RBACGenerator.Scope = .cluster) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for g in grants where g.scope == scope {
            out[(g.apiGroup.isEmpty ? g.resource : "\(g.resource).\(g.apiGroup)") + (g.resourceName.map { " \($0)" } ?? "")] = g.verbs
        }
        return out
    }

    @Test(arguments: [
        ("webapp.golden", RBACGenerator.Options()),
        ("webapp-namespace.golden", { var o = RBACGenerator.Options(); o.namespace = "shop"; return o }()),
        ("webapp-leader-elect.golden", { var o = RBACGenerator.Options(); o.leaderElection = true; return o }()),
    ])
    func webappMatchesGolden(file: String, options: RBACGenerator.Options) throws {
        let expected = try String(contentsOfFile: "\(Self.fixtures)/\(file)", encoding: .utf8)
        let rendered = try Self.render([try Self.webapp()], options)
        #expect(rendered == expected)
        // Every document reads back as YAML.
        #expect(try YAML.parseDocuments(rendered, file: file).count >= 3)
    }

    @Test func webappPermissionsAndWhy() throws {
        let grants = try RBACGenerator(resolver: ResourceResolver(rules: [try Self.webapp()])).grants(for: [try Self.webapp()]).grants
        #expect(Self.table(grants) == [
            "webapps.example.com": ["get", "list", "watch", "patch"],
            "webapps/status.example.com": ["patch"],
            "webapps/finalizers.example.com": ["update"],
            "deployments.apps": ["get", "list", "watch", "create", "patch", "delete"],
            "services": ["get", "list", "watch", "create", "patch", "delete"],
            "configmaps": ["get", "list", "watch", "create", "patch", "delete"],
            "events": ["create", "patch"],
        ])
        #expect(grants.first { $0.resource == "configmaps" }?.reasons == ["webapp: child routes", "webapp: lookup defaults"])
    }

    @Test func neverWildcardsEscalationOrSecretsUnlessRead() throws {
        let rendered = try Self.render([try Self.webapp()], { var o = RBACGenerator.Options(); o.leaderElection = true; return o }())
        for word in ["'*'", "\"*\"", "escalate", "bind\n", "impersonate", "secrets"] { #expect(!rendered.contains(word), "\(word)") }

        let readsSecrets = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: copy}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              lookups: [{id: source, apiVersion: v1, kind: Secret, name: shared}]
            """)
        #expect(Self.table(readsSecrets)["secrets"] == ["get", "list", "watch"])
    }

    @Test func watchOnlyRuleNeedsOnlyReads() throws {
        let grants = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: quiet}
            spec:
              watch: {apiVersion: apps/v1, kind: Deployment}
            """)
        // No children, patch or status: nothing is written but Events.
        #expect(Self.table(grants) == ["deployments.apps": ["get", "list", "watch"], "events": ["create", "patch"]])
    }

    @Test func patchAndStatusOnTheWatchedKind() throws {
        let grants = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: label}
            spec:
              watch: {apiVersion: apps/v1, kind: Deployment}
              patch: {metadata: {labels: {team: a}}}
              status:
                conditions: [{type: Ready, status: "true"}]
            """)
        #expect(Self.table(grants)["deployments.apps"] == ["get", "list", "watch", "patch"])
        #expect(Self.table(grants)["deployments/status.apps"] == ["patch"])
        #expect(Self.table(grants)["deployments/finalizers.apps"] == nil, "no children, no ownerReferences")
        // A kind without a status subresource gets no status permission.
        let configMaps = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: cm}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              patch: {metadata: {labels: {team: a}}}
              status: {conditions: [{type: Ready, status: "true"}]}
            """)
        #expect(Self.table(configMaps)["configmaps/status"] == nil)
    }

    @Test func clusterScopedChildrenOfNamespacedParentsCarryNoOwnerReference() throws {
        let yaml = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: classes}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              children:
                - id: pc
                  template: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: "${self.metadata.name}"}, value: 10}
            """
        let grants = try Self.grants(yaml)
        #expect(Self.table(grants)["configmaps/finalizers"] == nil)
        #expect(Self.table(grants)["configmaps"] == ["get", "list", "watch", "patch"])
        // With --namespace the cluster-scoped child stays in the ClusterRole; the rest moves to a Role.
        var options = RBACGenerator.Options()
        options.namespace = "team-a"
        let scoped = try Self.grants(yaml, options)
        #expect(Self.table(scoped)["priorityclasses.scheduling.k8s.io"] == ["get", "list", "watch", "create", "patch", "delete"])
        #expect(Self.table(scoped, scope: .namespace("team-a")).keys.sorted() == ["configmaps", "configmaps tend-inventory", "events"], "the inventory record goes with --namespace too")
    }

    @Test func namespaceSelectorReadsNamespacesClusterWide() throws {
        var options = RBACGenerator.Options()
        options.namespace = "team-a"
        let grants = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: labelled}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, namespaceSelector: {matchLabels: {tend: enabled}}}
            """, options)
        #expect(Self.table(grants) == ["namespaces": ["get", "list", "watch"]])
        #expect(Self.table(grants, scope: .namespace("team-a")) == ["configmaps": ["get", "list", "watch"], "events": ["create", "patch"]])
    }

    @Test func leasesOnlyInTheLeaseNamespace() throws {
        var options = RBACGenerator.Options()
        options.leaderElection = true
        options.serviceAccountNamespace = "ops"
        let rule = try Self.webapp()
        let generator = RBACGenerator(options: options, resolver: ResourceResolver(rules: [rule]))
        let grants = try generator.grants(for: [rule]).grants
        // The inventory record goes with the Lease: the ConfigMap itself read and patched, any created.
        #expect(Self.table(grants, scope: .namespace("ops")) == [
            "leases.coordination.k8s.io": ["get", "create", "update"], "configmaps tend-inventory": ["get", "patch"], "configmaps": ["create"],
        ])
        #expect(Self.table(grants)["leases.coordination.k8s.io"] == nil)
        let kinds = generator.manifests(for: grants).map { "\($0["kind"]?.stringValue ?? "") \($0["metadata"]?["namespace"]?.stringValue ?? "")" }
        #expect(kinds == ["ServiceAccount ops", "ClusterRole ", "ClusterRoleBinding ", "Role ops", "RoleBinding ops"])
        options.leaseNamespace = "leases"
        #expect(Self.table(try RBACGenerator(options: options, resolver: ResourceResolver(rules: [rule])).grants(for: [rule]).grants, scope: .namespace("leases")).count == 3)
        options.inventoryNamespace = "records"
        let apart = try RBACGenerator(options: options, resolver: ResourceResolver(rules: [rule])).grants(for: [rule]).grants
        #expect(Self.table(apart, scope: .namespace("leases")).keys.sorted() == ["leases.coordination.k8s.io"])
        #expect(Self.table(apart, scope: .namespace("records")) == ["configmaps tend-inventory": ["get", "patch"], "configmaps": ["create"]])
    }

    @Test func unknownKindsAndComputedKindsAreErrors() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: odd}
            spec:
              watch: {apiVersion: cert-manager.io/v1, kind: Certificate}
              children:
                - id: any
                  template: {apiVersion: v1, kind: "${self.spec.kind}", metadata: {name: x}}
            """)
        #expect(throws: RBACGenerator.Failure.self) { try RBACGenerator(resolver: ResourceResolver(rules: [rule])).grants(for: [rule]) }
        do {
            _ = try RBACGenerator(resolver: ResourceResolver(rules: [rule])).grants(for: [rule])
        } catch {
            #expect(error.problems == [
                "rule odd: watch: unknown kind Certificate in cert-manager.io/v1; declare it in a rule's schema, or pass --discover to ask the cluster"
            ])
        }
        // With the kind resolved (discovery), the computed child kind is the problem.
        let lists: [Value] = [[
            "groupVersion": "cert-manager.io/v1",
            "resources": [["name": "certificates", "singularName": "certificate", "namespaced": true, "kind": "Certificate", "verbs": ["get", "list", "watch", "patch"]],
                          ["name": "certificates/status", "singularName": "", "namespaced": true, "kind": "Certificate", "verbs": ["get", "patch"]]],
        ]]
        let mapping = RESTMapping(resourceLists: lists, preferred: [GroupVersion(group: "cert-manager.io", version: "v1")])
        do {
            _ = try RBACGenerator(resolver: ResourceResolver(rules: [rule], mapping: mapping)).grants(for: [rule])
            Issue.record("expected a failure")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.contains("child any: apiVersion and kind are not literal") == true)
        }
    }

    @Test func discoveryNamesTheResource() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: certs}
            spec:
              watch: {apiVersion: cert-manager.io/v1, kind: Certificate}
              status: {conditions: [{type: Ready, status: "true"}]}
            """)
        let lists: [Value] = [[
            "groupVersion": "cert-manager.io/v1",
            "resources": [["name": "certificates", "singularName": "certificate", "namespaced": true, "kind": "Certificate", "verbs": ["get", "list", "watch", "patch"]],
                          ["name": "certificates/status", "singularName": "", "namespaced": true, "kind": "Certificate", "verbs": ["get", "patch"]]],
        ]]
        let mapping = RESTMapping(resourceLists: lists, preferred: [GroupVersion(group: "cert-manager.io", version: "v1")])
        let grants = try RBACGenerator(resolver: ResourceResolver(rules: [rule], mapping: mapping)).grants(for: [rule]).grants
        #expect(Self.table(grants)["certificates.cert-manager.io"] == ["get", "list", "watch"])
        #expect(Self.table(grants)["certificates/status.cert-manager.io"] == ["patch"])
    }

    @Test func rbacChildrenWarn() throws {
        let rule = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: access}
            spec:
              watch: {apiVersion: v1, kind: ServiceAccount}
              children:
                - id: binding
                  template:
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: "${self.metadata.name}"}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                    subjects: [{kind: ServiceAccount, name: "${self.metadata.name}"}]
            """)
        let output = try RBACGenerator(resolver: ResourceResolver(rules: [rule])).grants(for: [rule])
        #expect(output.warnings.count == 1)
        #expect(output.warnings.first?.contains("never grants escalate or bind") == true)
        #expect(!output.grants.contains { $0.verbs.contains("bind") || $0.verbs.contains("escalate") })
    }

    @Test func severalRulesMergeIntoOneRoleSorted() throws {
        let a = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: a}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              lookups: [{id: s, apiVersion: v1, kind: Service, name: x}]
            """)
        let b = try compileRule("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: b}
            spec:
              watch: {apiVersion: v1, kind: Service}
              children:
                - id: cm
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
            """)
        let generator = RBACGenerator(resolver: ResourceResolver(rules: [a, b]))
        let forward = try generator.grants(for: [a, b]).grants
        let backward = try generator.grants(for: [b, a]).grants
        #expect(forward.filter { $0.scope == .cluster }.map(\.resource) == ["configmaps", "events", "services", "services/finalizers", "services/status"])
        // One rule has children: the inventory record, in the ServiceAccount's namespace by default.
        #expect(Self.table(forward, scope: .namespace("tend-system")) == ["configmaps tend-inventory": ["get", "patch"], "configmaps": ["create"]])
        #expect(forward.map(\.verbs) == backward.map(\.verbs))
        #expect(Self.table(forward)["services"] == ["get", "list", "watch", "patch"])
        #expect(Self.table(forward)["configmaps"] == ["get", "list", "watch", "create", "patch", "delete"])
    }
}

extension RBACGeneratorTests {
    /// Finalize children are written like children: their kind gets the same verbs, and the
    /// watched kind `patch` for the finalizer even without other children.
    @Test func finalizeChildrenAreGranted() throws {
        let grants = try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: backups}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              finalize:
                children:
                  - id: backup
                    template: {apiVersion: batch/v1, kind: Job, metadata: {name: "${self.metadata.name}-backup"}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: busybox}]}}}}
            """)
        let table = Self.table(grants)
        #expect(table["jobs.batch"] == Self.table(try Self.grants("""
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: jobs}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              children:
                - id: backup
                  template: {apiVersion: batch/v1, kind: Job, metadata: {name: "${self.metadata.name}-backup"}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: busybox}]}}}}
            """))["jobs.batch"])
        #expect(table["jobs.batch"]?.contains("create") == true)
        #expect(table["configmaps"]?.contains("patch") == true)
    }
}
