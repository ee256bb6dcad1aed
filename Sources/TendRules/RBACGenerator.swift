public import TendMeta
public import TendValue

/// The least-privilege RBAC that `tend run` needs for a set of rules (`tend rbac`).
///
/// Every permission follows from a request the engine makes (see docs/rbac.md):
///
/// - watched kinds, lookup kinds and child kinds: `get`, `list`, `watch` (informers; a GET before
///   creating a child checks that its name is not taken);
/// - child kinds: `patch` (server-side apply, also the merge patch that releases an orphaned child),
///   `create` (the API server authorizes a server-side apply that creates the object as `create`
///   too) and `delete` (pruning); never `update`;
/// - the watched kind: `patch` when the rule owns fields of it (`spec.patch`) or has children (the
///   `cleanup.tend.dev/<rule>` finalizer);
/// - `configmaps` in the inventory namespace, when a rule has children: `get` and `patch` of the
///   inventory record `tend-inventory` only (``InventoryRecord``), and `create` (which RBAC cannot
///   limit to a name);
/// - `<watched>/status`: `patch` when the kind has a status subresource and the rule can write a status
///   (it declares one, or it has children, lookups or a patch, whose failures set `Ready=False`);
/// - `<watched>/finalizers`: `update` when a child can carry a `blockOwnerDeletion` ownerReference to
///   the watched object (the OwnerReferencesPermissionEnforcement admission plugin checks it);
/// - `namespaces`: `get`, `list`, `watch` when a rule selects namespaces by label;
/// - `events`: `create`, `patch` (Events are aggregated by patching their count);
/// - `coordination.k8s.io` `leases`: `get`, `create`, `update` in the lease namespace, with leader election.
///
/// No wildcards, no `escalate`, `bind` or `impersonate`. Output is deterministic: one policy rule per
/// API group and resource, sorted by group then resource, verbs in a fixed order.
public struct RBACGenerator: Sendable {
    public var options: Options
    public var resolver: ResourceResolver

    public init(options: Options = Options(), resolver: ResourceResolver) {
        self.options = options
        self.resolver = resolver
    }

    public struct Options: Sendable {
        /// `tend run --namespace`: namespaced permissions become a Role and RoleBinding there.
        public var namespace: String?
        public var serviceAccount = "tend"
        public var serviceAccountNamespace = "tend-system"
        /// Name of the ClusterRole, Roles and bindings; the service account's name when nil.
        public var name: String?
        /// `tend run --leader-elect`: Lease permissions in ``leaseNamespace``.
        public var leaderElection = false
        /// Where the Lease lives; default: ``namespace``, else ``serviceAccountNamespace`` (a pod's
        /// own namespace, which is what `tend run` uses in a pod without `--lease-namespace`).
        public var leaseNamespace: String?
        /// Where the inventory record lives (`tend run --inventory-namespace`); default: the Lease's
        /// namespace with leader election, else ``namespace``, else ``serviceAccountNamespace``.
        public var inventoryNamespace: String?

        public init() {}

        public var effectiveInventoryNamespace: String {
            inventoryNamespace ?? (leaderElection ? effectiveLeaseNamespace : namespace ?? serviceAccountNamespace)
        }

        public var roleName: String { name ?? serviceAccount }
        public var effectiveLeaseNamespace: String { leaseNamespace ?? namespace ?? serviceAccountNamespace }
    }

    /// Where a permission applies: cluster-wide (ClusterRole) or in one namespace (Role).
    public enum Scope: Sendable, Hashable, Comparable {
        case cluster
        case namespace(String)
    }

    /// One API resource (or subresource, `webapps/status`) in one scope, with the verbs needed and why.
    public struct Grant: Sendable, Hashable {
        public var scope: Scope
        public var apiGroup: String
        public var resource: String
        public var verbs: [String]
        /// The one object the verbs are limited to (`resourceNames`), or nil for every object.
        public var resourceName: String? = nil
        /// Why, one entry per reason (`webapp: child deployment`), in the order the rules give them.
        public var reasons: [String]
    }

    public struct Output: Sendable {
        public var grants: [Grant]
        /// Things the RBAC cannot cover (e.g. children that are RBAC objects themselves).
        public var warnings: [String]
    }

    /// Kinds the resolver does not know, and children whose kind is not literal in the template.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// Verbs in the order they are printed.
    static let verbOrder = ["get", "list", "watch", "create", "update", "patch", "delete"]

    /// Every permission the rules need, grouped and sorted.
    public func grants(for rules: [Rule]) throws(Failure) -> Output {
        var verbs: [Key: Set<String>] = [:]
        var reasons: [Key: [String]] = [:]
        var problems: [String] = []
        var warnings: [String] = []

        func add(_ scope: Scope, _ group: String, _ resource: String, _ vs: [String], _ why: String, only name: String? = nil) {
            let key = Key(scope: scope, apiGroup: group, resource: resource, resourceName: name)
            verbs[key, default: []].formUnion(vs)
            if !(reasons[key]?.contains(why) ?? false) { reasons[key, default: []].append(why) }
        }
        func scope(of info: ResourceResolver.Info) -> Scope {
            if let ns = options.namespace, info.namespaced { return .namespace(ns) }
            return .cluster
        }
        func resolve(_ kind: GroupVersionKind, _ what: String) -> ResourceResolver.Info? {
            guard let info = resolver.info(for: kind) else {
                problems.append("\(what): unknown kind \(kind.kind) in \(kind.apiVersion); declare it in a rule's schema, or pass --discover to ask the cluster")
                return nil
            }
            return info
        }
        let read = ["get", "list", "watch"]

        for rule in rules {
            let name = rule.name
            guard let watched = resolve(rule.watch.kind, "rule \(name): watch") else { continue }
            let watchScope = scope(of: watched)
            add(watchScope, watched.group, watched.resource, read, "\(name): watched kind")
            var childInfos: [ResourceResolver.Info] = []
            for child in rule.allChildren {
                guard let kind = child.kind else {
                    problems.append("rule \(name): child \(child.id): apiVersion and kind are not literal in the template, so the RBAC cannot name the resource")
                    continue
                }
                guard let info = resolve(kind, "rule \(name): child \(child.id)") else { continue }
                childInfos.append(info)
                add(scope(of: info), info.group, info.resource, read + ["create", "patch", "delete"], "\(name): child \(child.id)")
                if info.group == "rbac.authorization.k8s.io" {
                    warnings.append("rule \(name): child \(child.id) is a \(kind.kind): the API server lets Tend write it only when Tend already holds every permission it grants (tend rbac never grants escalate or bind)")
                }
            }
            for lookup in rule.lookups {
                guard let info = resolve(lookup.kind, "rule \(name): lookup \(lookup.id)") else { continue }
                add(scope(of: info), info.group, info.resource, read, "\(name): lookup \(lookup.id)")
            }
            if case .selector = rule.watch.namespaces {
                add(.cluster, "", "namespaces", read, "\(name): watch.namespaceSelector")
            }
            if rule.patch != nil {
                add(watchScope, watched.group, watched.resource, ["patch"], "\(name): spec.patch")
            }
            if !rule.allChildren.isEmpty || rule.finalize != nil {
                add(watchScope, watched.group, watched.resource, ["patch"], "\(name): cleanup finalizer")
            }
            let writesStatus = !rule.status.isEmpty || !rule.allChildren.isEmpty || rule.patch != nil || !rule.lookups.isEmpty
            if watched.hasStatus && writesStatus {
                add(watchScope, watched.group, watched.resource + "/status", ["patch"], rule.status.isEmpty ? "\(name): Ready condition on failures" : "\(name): status")
            }
            // A child gets a blockOwnerDeletion ownerReference unless it is cluster-scoped and the
            // watched object is namespaced.
            if childInfos.contains(where: { $0.namespaced || !watched.namespaced }) {
                add(watchScope, watched.group, watched.resource + "/finalizers", ["update"], "\(name): blockOwnerDeletion on children's ownerReferences")
            }
            // Events go to the watched object's namespace, or `default` for cluster-scoped objects.
            let eventScope: Scope = options.namespace.map { watched.namespaced ? .namespace($0) : .namespace("default") } ?? .cluster
            add(eventScope, "", "events", ["create", "patch"], "\(name): Events on watched objects")
        }
        if rules.contains(where: { !$0.allChildren.isEmpty }) {
            let scope = Scope.namespace(options.effectiveInventoryNamespace)
            add(scope, "", "configmaps", ["get", "patch"], "inventory record", only: InventoryRecord.name)
            add(scope, "", "configmaps", ["create"], "inventory record, created on first use")
        }
        if options.leaderElection {
            add(.namespace(options.effectiveLeaseNamespace), "coordination.k8s.io", "leases", ["get", "create", "update"], "leader election")
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        let grants = verbs.keys.sorted().map { key in
            Grant(
                scope: key.scope, apiGroup: key.apiGroup, resource: key.resource,
                verbs: Self.verbOrder.filter { verbs[key]!.contains($0) }, resourceName: key.resourceName, reasons: reasons[key]!)
        }
        var seen = Set<String>()
        return Output(grants: grants, warnings: warnings.filter { seen.insert($0).inserted })
    }

    /// The objects to apply: the ServiceAccount, a ClusterRole and ClusterRoleBinding when any
    /// permission is cluster-wide, and a Role and RoleBinding per namespace with namespaced ones.
    public func manifests(for grants: [Grant]) -> [Value] {
        let name = options.roleName
        let labels: Value = ["app.kubernetes.io/name": "tend"]
        let subject: Value = ["kind": "ServiceAccount", "name": .string(options.serviceAccount), "namespace": .string(options.serviceAccountNamespace)]
        var out: [Value] = [[
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": .string(options.serviceAccount), "namespace": .string(options.serviceAccountNamespace), "labels": labels],
        ]]
        let scopes = Array(Set(grants.map(\.scope))).sorted()
        for scope in scopes {
            let policyRules: [Value] = grants.filter { $0.scope == scope }.map {
                var rule: Value = ["apiGroups": [.string($0.apiGroup)], "resources": [.string($0.resource)], "verbs": .array($0.verbs.map(Value.string))]
                if let name = $0.resourceName { rule["resourceNames"] = [.string(name)] }
                return rule
            }
            switch scope {
            case .cluster:
                out.append([
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": ["name": .string(name), "labels": labels], "rules": .array(policyRules),
                ])
                out.append([
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": ["name": .string(name), "labels": labels],
                    "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
                    "subjects": [subject],
                ])
            case .namespace(let ns):
                out.append([
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                    "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels], "rules": .array(policyRules),
                ])
                out.append([
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels],
                    "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(name)],
                    "subjects": [subject],
                ])
            }
        }
        return out
    }

    /// A comment block for the YAML output: what each permission is for.
    /// `command` is the command line that regenerates it, when known.
    public static func explanation(_ grants: [Grant], rules: [String], command: String? = nil) -> String {
        var lines = ["# RBAC for `tend run`, generated by `tend rbac` for rules: \(rules.joined(separator: ", "))"]
        if let command { lines.append("# Regenerate with: \(command)") }
        lines.append("#")
        for g in grants {
            let scope: String
            switch g.scope {
            case .cluster: scope = "cluster"
            case .namespace(let ns): scope = "ns \(ns)"
            }
            // kubectl's spelling: resource.group, then the subresource (webapps.example.com/status).
            let parts = g.resource.split(separator: "/", maxSplits: 1)
            var resource = String(parts[0]) + (g.apiGroup.isEmpty ? "" : ".\(g.apiGroup)")
            if parts.count > 1 { resource += "/\(parts[1])" }
            if let name = g.resourceName { resource += " \(name)" }
            lines.append("# \(resource) [\(scope)]: \(g.verbs.joined(separator: ", ")) (\(g.reasons.joined(separator: "; ")))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct Key: Hashable, Comparable {
        var scope: Scope
        var apiGroup: String
        var resource: String
        var resourceName: String?
        static func < (a: Key, b: Key) -> Bool {
            (a.scope, a.apiGroup, a.resource, a.resourceName ?? "") < (b.scope, b.apiGroup, b.resource, b.resourceName ?? "")
        }
    }
}

/// Resource names and scopes for kinds: from discovery when given, then the rules' schemas, then a
/// built-in table of Kubernetes kinds.
public struct ResourceResolver: Sendable {
    public struct Info: Sendable, Hashable {
        public var group: String
        /// The plural resource name, as RBAC names it.
        public var resource: String
        public var namespaced: Bool
        public var hasStatus: Bool
        public init(group: String, resource: String, namespaced: Bool, hasStatus: Bool) {
            self.group = group
            self.resource = resource
            self.namespaced = namespaced
            self.hasStatus = hasStatus
        }
    }

    /// Discovery, when asked for (`--discover`).
    public var mapping: RESTMapping?
    /// Kinds defined by the rules' schemas (`tend crds` gives them a status subresource).
    public var defined: [GroupKind: Info]

    public struct GroupKind: Sendable, Hashable {
        public var group: String
        public var kind: String
        public init(_ group: String, _ kind: String) {
            self.group = group
            self.kind = kind
        }
    }

    public init(rules: [Rule], mapping: RESTMapping? = nil) {
        self.mapping = mapping
        var defined: [GroupKind: Info] = [:]
        for rule in rules {
            guard let s = rule.schema else { continue }
            defined[GroupKind(s.group, s.kind)] = Info(group: s.group, resource: s.plural, namespaced: s.scope == .namespaced, hasStatus: true)
        }
        self.defined = defined
    }

    public func info(for kind: GroupVersionKind) -> Info? {
        if let r = mapping?.resource(for: kind) {
            return Info(group: kind.group, resource: r.name, namespaced: r.namespaced, hasStatus: r.hasStatus)
        }
        let key = GroupKind(kind.group, kind.kind)
        return defined[key] ?? Self.builtIn[key]
    }

    /// Kubernetes kinds (any served version): resource name, scope, status subresource.
    public static let builtIn: [GroupKind: Info] = {
        // (group, kind, resource, namespaced, status)
        let table: [(String, String, String, Bool, Bool)] = [
            ("", "ConfigMap", "configmaps", true, false),
            ("", "Endpoints", "endpoints", true, false),
            ("", "Event", "events", true, false),
            ("", "LimitRange", "limitranges", true, false),
            ("", "Namespace", "namespaces", false, true),
            ("", "Node", "nodes", false, true),
            ("", "PersistentVolume", "persistentvolumes", false, true),
            ("", "PersistentVolumeClaim", "persistentvolumeclaims", true, true),
            ("", "Pod", "pods", true, true),
            ("", "PodTemplate", "podtemplates", true, false),
            ("", "ReplicationController", "replicationcontrollers", true, true),
            ("", "ResourceQuota", "resourcequotas", true, true),
            ("", "Secret", "secrets", true, false),
            ("", "Service", "services", true, true),
            ("", "ServiceAccount", "serviceaccounts", true, false),
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, false),
            ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, false),
            ("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false, true),
            ("apps", "ControllerRevision", "controllerrevisions", true, false),
            ("apps", "DaemonSet", "daemonsets", true, true),
            ("apps", "Deployment", "deployments", true, true),
            ("apps", "ReplicaSet", "replicasets", true, true),
            ("apps", "StatefulSet", "statefulsets", true, true),
            ("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, true),
            ("batch", "CronJob", "cronjobs", true, true),
            ("batch", "Job", "jobs", true, true),
            ("coordination.k8s.io", "Lease", "leases", true, false),
            ("discovery.k8s.io", "EndpointSlice", "endpointslices", true, false),
            ("events.k8s.io", "Event", "events", true, false),
            ("networking.k8s.io", "Ingress", "ingresses", true, true),
            ("networking.k8s.io", "IngressClass", "ingressclasses", false, false),
            ("networking.k8s.io", "NetworkPolicy", "networkpolicies", true, false),
            ("policy", "PodDisruptionBudget", "poddisruptionbudgets", true, true),
            ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false, false),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false, false),
            ("rbac.authorization.k8s.io", "Role", "roles", true, false),
            ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true, false),
            ("scheduling.k8s.io", "PriorityClass", "priorityclasses", false, false),
            ("storage.k8s.io", "CSIDriver", "csidrivers", false, false),
            ("storage.k8s.io", "StorageClass", "storageclasses", false, false),
            ("storage.k8s.io", "VolumeAttachment", "volumeattachments", false, true),
        ]
        var out: [GroupKind: Info] = [:]
        for (group, kind, resource, namespaced, status) in table {
            out[GroupKind(group, kind)] = Info(group: group, resource: resource, namespaced: namespaced, hasStatus: status)
        }
        return out
    }()
}
