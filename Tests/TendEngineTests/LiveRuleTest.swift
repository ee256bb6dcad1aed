import Foundation
import Logging
import TendEngine
import TendKube
import TendMeta
import TendOffline
import TendRules
import TendTesting
import TendValue

/// A RuleTest carried out against the real control plane, step by step, with the engine running
/// its rules: the live side of the differential tests (``DifferentialClusterTests``).
///
/// Each step's `apply` is a server-side apply (field manager `tend-test`, forced: what
/// `kubectl apply --server-side --force-conflicts` does), its `patch` a JSON merge patch, its
/// `delete` a delete (background propagation); a `status` in either goes through the status
/// subresource, as the controller that owns it would write it. Then ``waitUntilQuiet()`` waits until
/// no object the test touches or the rules manage changes for ``quietPeriod``.
///
/// The test's clock: offline, a step's `wait:` moves the clock from the moment the previous step
/// settled. Live, the step sleeps until that long after the last change the previous step's quiet
/// wait saw (plus ``waitMargin``, so a transition due at that moment has fired).
///
/// Isolation: the test's namespaces are fixed names (`t`, `payments`), so tests run one at a time;
/// ``prepare()`` waits until a previous test's namespaces of the same names are gone, creates the
/// namespaces neither the test nor its rules create (``ruleCreatedNamespaces``) and installs the
/// CRDs its rules declare; ``tearDown()`` stops the engine, strips finalizers, deletes the
/// namespaces, the cluster-scoped objects the test applied and the CRDs it installed, and leaves
/// the cluster's own namespaces as ``prepare()`` found them (their labels and annotations, and no
/// object of the rules in them). The engine is scoped to the namespace when
/// the test lives in one namespace and touches no cluster-scoped object.
final class LiveRuleTest {
    let test: RuleTest
    let rules: [Rule]
    let client: KubeClient
    /// How long nothing may change for the cluster to count as quiet.
    var quietPeriod: Duration = .milliseconds(1500)
    /// The longest a step may take to become quiet.
    var quietTimeout: Duration = .seconds(30)
    /// The longest while a Namespace is terminating: kube-controller-manager's namespace controller
    /// empties it through a client limited to 20 requests a second, shared with the deletion of
    /// every other test's namespace finishing at the same time.
    var namespaceDeletionTimeout: Duration = .seconds(120)
    var waitMargin: Duration = .milliseconds(500)

    static let fieldManager = "tend-test"
    static let namespaceKind = GroupVersionKind(apiVersion: "v1", kind: "Namespace")!
    static let crdKind = GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")!

    /// Kinds without a namespace: the built-in ones and those the rules declare so.
    let clusterScoped: Set<GroupVersionKind>
    /// Namespaces the cluster has of its own: never created, waited for or deleted.
    static let systemNamespaces: Set<String> = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// The reference of `object`; a namespaced object without a namespace is in `default`, where
    /// `kubectl apply -f` (and the offline cluster) puts it.
    static func reference(of object: Value, clusterScoped: Set<GroupVersionKind>) -> ObjectReference? {
        guard var ref = ObjectReference(of: object) else { return nil }
        if ref.key.namespace.isEmpty, !clusterScoped.contains(ref.kind) { ref.key.namespace = "default" }
        return ref
    }

    func reference(of object: Value) -> ObjectReference? { Self.reference(of: object, clusterScoped: clusterScoped) }

    /// Every object reference a step of the test names (apply, patch, delete, present, absent).
    let named: Set<ObjectReference>
    /// The namespaces of the test's objects, and those it creates as Namespace objects.
    let namespaces: Set<String>
    let appliedNamespaces: Set<String>
    /// Namespaces a rule creates: expected as Namespace objects, never applied, and holding nothing
    /// the steps apply (a patch changes what is there, a rule's child say). Not created beforehand: a rule finding its Namespace there already
    /// would not own it (offline, it is not there either).
    let ruleCreatedNamespaces: Set<String>
    /// The labels and annotations of the cluster's own namespaces before the test, restored after it.
    private var systemNamespaceMetadata: [String: Value] = [:]
    /// Objects the steps so far applied, patched or deleted.
    private(set) var touched: Set<ObjectReference> = []
    /// Objects whose finalizers the tear-down strips: everything ever seen.
    private var seen: Set<ObjectReference> = []
    private var installedCRDs: [String] = []
    private var engine: (Engine, Task<Void, any Error>)?
    /// When the last change of the previous quiet wait happened.
    private var lastChange = ContinuousClock.now

    init(test: RuleTest, rules: [Rule], client: KubeClient) {
        self.test = test
        self.rules = rules
        self.client = client
        var clusterScoped = InMemoryWorld.builtinClusterScoped
        for rule in rules where rule.schema?.scope == .cluster { clusterScoped.insert(rule.watch.kind) }
        for crd in test.steps.flatMap(\.apply) where crd["kind"] == "CustomResourceDefinition" && crd["spec"]?["scope"] == "Cluster" {
            for version in crd["spec"]?["versions"]?.arrayValue ?? [] {
                if let kind = GroupVersionKind(apiVersion: "\(crd["spec"]?["group"]?.stringValue ?? "")/\(version["name"]?.stringValue ?? "")", kind: crd["spec"]?["names"]?["kind"]?.stringValue ?? "") {
                    clusterScoped.insert(kind)
                }
            }
        }
        self.clusterScoped = clusterScoped
        let objects = test.steps.flatMap { $0.apply + $0.patch + $0.delete + $0.present + $0.absent }
        named = Set(objects.compactMap { Self.reference(of: $0, clusterScoped: clusterScoped) })
        appliedNamespaces = Set(test.steps.flatMap(\.apply).filter { $0["apiVersion"] == "v1" && $0["kind"] == "Namespace" }.compactMap { ObjectKey(of: $0)?.name })
        namespaces = Set(named.map(\.key.namespace).filter { !$0.isEmpty }).union(appliedNamespaces)
        let expected: [Value] = test.steps.flatMap { (s: RuleTest.Step) -> [Value] in s.present + s.absent }
        let expectedNamespaces = Set(expected.filter { (o: Value) -> Bool in o["apiVersion"] == "v1" && o["kind"] == "Namespace" }.compactMap { (o: Value) -> String? in ObjectKey(of: o)?.name })
        let written: [Value] = test.steps.flatMap { (s: RuleTest.Step) -> [Value] in s.apply }
        let writtenInto = Set(written.compactMap { (o: Value) -> String? in Self.reference(of: o, clusterScoped: clusterScoped)?.key.namespace })
        ruleCreatedNamespaces = expectedNamespaces.subtracting(appliedNamespaces).subtracting(writtenInto).subtracting(Self.systemNamespaces)
    }

    /// The CRDs the rules declare (`tend crds`), by name.
    var crds: [String: Value] {
        var crds: [String: Value] = [:]
        for rule in rules {
            guard let schema = rule.schema else { continue }
            let crd = schema.customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name))
            if let name = crd["metadata"]?["name"]?.stringValue { crds[name] = crd }
        }
        return crds
    }

    /// The one namespace the engine can be limited to, when there is one.
    var engineNamespace: String? {
        guard namespaces.count == 1, appliedNamespaces.isEmpty, !named.contains(where: { $0.key.namespace.isEmpty }) else { return nil }
        return namespaces.first
    }

    // MARK: Set-up and tear-down

    func prepare() async throws {
        let nsClient = try await client.resource(Self.namespaceKind)
        let deadline = ContinuousClock.now + .seconds(90)
        for ns in namespaces.sorted() where !Self.systemNamespaces.contains(ns) {
            // A namespace of the same name from the previous test may still be terminating.
            while let existing = try? await nsClient.get(ns) {
                guard ContinuousClock.now < deadline else {
                    throw Timeout("namespace \(ns) still exists (phase \(existing["status"]?["phase"] ?? .null)); a previous run left it")
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            if !appliedNamespaces.contains(ns), !ruleCreatedNamespaces.contains(ns) {
                _ = try await nsClient.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
            }
        }
        for ns in Self.systemNamespaces {
            guard let existing = try? await nsClient.get(ns) else { continue }
            systemNamespaceMetadata[ns] = ["labels": existing["metadata"]?["labels"] ?? .emptyObject, "annotations": existing["metadata"]?["annotations"] ?? .emptyObject]
        }
        let crdClient = try await client.resource(Self.crdKind)
        for (name, crd) in crds.sorted(by: { $0.key < $1.key }) {
            if (try? await crdClient.get(name)) == nil { installedCRDs.append(name) }
            _ = try await crdClient.apply(crd, fieldManager: Self.fieldManager, force: true)
            try await until("CRD \(name) established") {
                (try? await crdClient.get(name))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
            }
        }
        for rule in rules { _ = try await resource(rule.watch.kind, namespace: nil) }
    }

    func startEngine() async throws {
        var options = EngineOptions()
        options.namespace = engineNamespace
        options.kindRetryInterval = .milliseconds(500)
        var logger = Logger(label: "differential")
        logger.logLevel = .critical
        let engine = Engine(rules: rules, client: client, options: options, logger: logger)
        self.engine = (engine, Task { try await engine.run() })
        try await until("the engine synced") { engine.isReady }
        lastChange = ContinuousClock.now
    }

    func tearDown() async {
        if let (_, task) = engine {
            task.cancel()
            _ = await task.result
        }
        engine = nil
        // Whatever carries a finalizer would keep its namespace (or CRD) terminating: strip them.
        for ref in seen.union(named).sorted(by: { $0.description < $1.description }) {
            guard let resource = try? await resource(ref.kind, namespace: ref.key.namespace),
                let object = try? await resource.get(ref.key.name), object["metadata"]?["finalizers"] != nil
            else { continue }
            _ = try? await resource.patch(ref.key.name, .merge(["metadata": ["finalizers": .null]]))
        }
        for ref in touched where ref.key.namespace.isEmpty && ref.kind != Self.namespaceKind {
            _ = try? await resource(ref.kind, namespace: nil).delete(ref.key.name)
        }
        // Objects in the cluster's own namespaces go one by one; the test's namespaces go whole.
        for ref in touched.union(seen) where Self.systemNamespaces.contains(ref.key.namespace) {
            _ = try? await resource(ref.kind, namespace: ref.key.namespace).delete(ref.key.name)
        }
        await restoreSystemNamespaces()
        for ns in namespaces.subtracting(Self.systemNamespaces).sorted() { _ = try? await client.resource(Self.namespaceKind).delete(ns) }
        for name in installedCRDs { _ = try? await client.resource(Self.crdKind).delete(name) }
    }

    /// Deletes what the rules made in the cluster's own namespaces (children of a rule that watches
    /// Namespaces, say) and takes the labels and annotations the test or the rules added off those
    /// namespaces (`inventory.tend.dev/...`, a `patch`'s labels), so the next test finds them as
    /// this one did.
    private func restoreSystemNamespaces() async {
        let names = rules.map(\.name).sorted().joined(separator: ",")
        for kind in Set(rules.flatMap { $0.children.compactMap(\.kind) }).sorted(by: { $0.description < $1.description }) {
            for ns in Self.systemNamespaces.sorted() {
                guard let resource = try? await resource(kind, namespace: ns),
                    let list = try? await resource.list(ListOptions(labelSelector: "\(Rule.ruleLabel) in (\(names))"))
                else { continue }
                for item in list.items {
                    if let name = item["metadata"]?["name"]?.stringValue { _ = try? await resource.delete(name) }
                }
            }
        }
        guard let nsClient = try? await client.resource(Self.namespaceKind) else { return }
        for (ns, before) in systemNamespaceMetadata.sorted(by: { $0.key < $1.key }) {
            guard let now = try? await nsClient.get(ns) else { continue }
            var patch = Value.Object()
            for map in ["labels", "annotations"] {
                var changes = Value.Object()
                for (key, _) in now["metadata"]?[map]?.objectValue ?? Value.Object() where before[map]?[key] == nil { changes[key] = .null }
                for (key, value) in before[map]?.objectValue ?? Value.Object() where now["metadata"]?[map]?[key] != value { changes[key] = value }
                if !changes.isEmpty { patch[map] = .object(changes) }
            }
            if !patch.isEmpty { _ = try? await nsClient.patch(ns, .merge(["metadata": .object(patch)])) }
        }
    }

    // MARK: Steps

    /// What carrying out a step found.
    struct StepReport: Sendable {
        /// Whether the cluster became quiet within ``quietTimeout``.
        var quiet: Bool
        /// Writes the API server refused (the offline cluster takes every write): object, message.
        var rejected: [(object: ObjectReference, message: String)]
    }

    /// Carries out one step's changes (after its wait), then waits until the cluster is quiet.
    ///
    /// Offline a step's changes are one batch the rules see together; live they are written one by
    /// one while the engine runs. So that what the rules see in between is the end state as far as
    /// possible, patches and deletes of objects that exist go first, then applies, then patches and
    /// deletes of the objects this step applies.
    func carryOut(_ step: RuleTest.Step) async throws -> StepReport {
        if let wait = step.wait {
            let until = lastChange + wait + waitMargin
            if until > ContinuousClock.now { try await Task.sleep(until: until, clock: .continuous) }
        }
        var rejected: [(ObjectReference, String)] = []
        func attempt(_ object: Value, _ write: (Value) async throws -> Void) async throws {
            do {
                try await write(object)
            } catch let error as KubeError where error.status != nil {
                rejected.append((reference(of: object)!, error.status?.message ?? "\(error)"))
            }
        }
        let appliedNow = Set(step.apply.compactMap { reference(of: $0) })
        let later = { (o: Value) in self.reference(of: o).map(appliedNow.contains) ?? false }
        for object in step.patch where !later(object) { try await attempt(object, patch) }
        for object in step.delete where !later(object) { try await attempt(object, delete) }
        // Namespaces and CRDs first: the objects of the step may live in them.
        let first: Set<String> = ["Namespace", "CustomResourceDefinition"]
        for object in step.apply.filter({ first.contains($0["kind"]?.stringValue ?? "") }) + step.apply.filter({ !first.contains($0["kind"]?.stringValue ?? "") }) {
            try await attempt(object, apply)
        }
        for object in step.patch where later(object) { try await attempt(object, patch) }
        for object in step.delete where later(object) { try await attempt(object, delete) }
        return StepReport(quiet: await waitUntilQuiet(), rejected: rejected)
    }

    private func delete(_ object: Value) async throws {
        guard let ref = reference(of: object) else { return }
        touched.insert(ref)
        let resource = try await resource(ref.kind, namespace: ref.key.namespace)
        do {
            _ = try await resource.delete(ref.key.name)
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    private func apply(_ object: Value) async throws {
        guard let ref = reference(of: object) else { return }
        touched.insert(ref)
        let resource = try await resource(ref.kind, namespace: ref.key.namespace)
        var main = object
        if !ref.key.namespace.isEmpty { main["metadata"]?["namespace"] = .string(ref.key.namespace) }
        main["status"] = nil
        _ = try await resource.apply(main, fieldManager: Self.fieldManager, force: true)
        if let status = object["status"] {
            let statusOnly: Value = ["apiVersion": object["apiVersion"] ?? .null, "kind": object["kind"] ?? .null,
                                     "metadata": ["name": .string(ref.key.name)], "status": status]
            _ = try await resource.applyStatus(statusOnly, fieldManager: Self.fieldManager, force: true)
        }
        if ref.kind == Self.crdKind {
            try await until("CRD \(ref.key.name) established") {
                (try? await resource.get(ref.key.name))?["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Established" && $0["status"] == "True" } == true
            }
        }
    }

    private func patch(_ object: Value) async throws {
        guard let ref = reference(of: object) else { return }
        touched.insert(ref)
        let resource = try await resource(ref.kind, namespace: ref.key.namespace)
        var main = object
        main["status"] = nil
        do {
            _ = try await resource.patch(ref.key.name, .merge(main))
            if let status = object["status"] { _ = try await resource.patchStatus(ref.key.name, .merge(["status": status])) }
        } catch {
            if !error.isNotFound { throw error }  // offline, a patch of a missing object does nothing
        }
    }

    // MARK: Observing

    /// The managed objects (label `tend.dev/rule` of one of the rules) of the kinds the rules
    /// create, in the test's namespaces; the objects the test names are added by the caller.
    func managedObjects() async -> [Value] {
        let names = rules.map(\.name).sorted().joined(separator: ",")
        let kinds = Set(rules.flatMap { $0.children.compactMap(\.kind) })
        var found: [Value] = []
        for kind in kinds.sorted(by: { $0.description < $1.description }) {
            guard let resource = try? await resource(kind, namespace: nil),
                let list = try? await resource.list(ListOptions(labelSelector: "\(Rule.ruleLabel) in (\(names))"))
            else { continue }
            found += list.items.filter { namespaces.contains($0["metadata"]?["namespace"]?.stringValue ?? "") }
        }
        return found
    }

    /// The live objects among `refs` and the managed ones, as one side of a comparison.
    func snapshot(_ refs: Set<ObjectReference>) async -> DifferentialSnapshot {
        var snapshot = DifferentialSnapshot(await managedObjects())
        for ref in refs where snapshot.objects[ref] == nil {
            if let object = try? await resource(ref.kind, namespace: ref.key.namespace).get(ref.key.name) {
                snapshot.objects[ref] = object.settingKind(ref.kind)
            }
        }
        seen.formUnion(snapshot.objects.keys)
        return snapshot
    }

    /// Waits until no resourceVersion among the touched, named and managed objects changes for
    /// ``quietPeriod``, and none of them is a terminating Namespace (offline a deleted Namespace is
    /// gone at once; live the namespace controller empties it first); false when that did not
    /// happen within ``quietTimeout`` (``namespaceDeletionTimeout`` while a Namespace terminates).
    func waitUntilQuiet() async -> Bool {
        let start = ContinuousClock.now
        var last = await fingerprint()
        lastChange = ContinuousClock.now
        while ContinuousClock.now - lastChange < quietPeriod {
            let deleting = last.contains { $0.contains(" terminating ") }
            if ContinuousClock.now - start > (deleting ? max(quietTimeout, namespaceDeletionTimeout) : quietTimeout) { return false }
            try? await Task.sleep(for: .milliseconds(200))
            let now = await fingerprint()
            if now != last {
                last = now
                lastChange = ContinuousClock.now
            }
        }
        return true
    }

    private func fingerprint() async -> [String] {
        let snapshot = await snapshot(named.union(touched))
        // The garbage collector has yet to delete a dependent whose owner the test deleted or named
        // and which is gone (offline, the cascade is immediate).
        let uids = Set(snapshot.objects.values.compactMap { $0["metadata"]?["uid"]?.stringValue })
        let owners = Set(named.union(touched).map { "\($0.kind.kind)/\($0.key.name)" })
        let collecting = snapshot.objects.values.contains { object in
            (object["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains { owner in
                guard let uid = owner["uid"]?.stringValue, !uids.contains(uid) else { return false }
                return owners.contains("\(owner["kind"]?.stringValue ?? "")/\(owner["name"]?.stringValue ?? "")")
            }
        }
        return (collecting ? ["garbage collection pending \(ContinuousClock.now)"] : []) + snapshot.objects.map { ref, object in
            // A terminating Namespace never looks settled: its fingerprint changes every time.
            let terminating = ref.kind == Self.namespaceKind && object["metadata"]?["deletionTimestamp"].map { !$0.isNull } == true
            return "\(ref) \(object["metadata"]?["resourceVersion"]?.stringValue ?? "")" + (terminating ? " terminating \(ContinuousClock.now)" : "")
        }.sorted()
    }

    // MARK: Helpers

    private func resource(_ kind: GroupVersionKind, namespace: String?) async throws -> ResourceClient {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let found = try? await client.resource(kind, namespace: namespace?.isEmpty == true ? nil : namespace) { return found }
            guard ContinuousClock.now < deadline else { throw Timeout("timed out waiting for \(kind) to be served") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func until(_ what: String, timeout: Duration = .seconds(60), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while await !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

extension LiveRuleTest {
    /// Something the cluster did not do in time (a namespace gone, a CRD established, a kind served).
    struct Timeout: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension Value {
    /// The object with `apiVersion` and `kind` set (a GET returns them; kept for lists' items).
    fileprivate func settingKind(_ kind: GroupVersionKind) -> Value {
        var o = self
        o["apiVersion"] = .string(kind.apiVersion)
        o["kind"] = .string(kind.kind)
        return o
    }
}
