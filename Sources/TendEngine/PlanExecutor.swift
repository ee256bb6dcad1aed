import Foundation
public import Logging
public import TendKube
public import TendMeta
public import TendRules
public import TendValue

/// Carries out a ``ReconcilePlan`` against the API server.
///
/// Order: kinds new to the rule's inventory record (``InventoryRecorder``; a failure here stops the
/// plan); a patch adding the rule's finalizer to the parent; children in dependency order (server-side
/// apply as the rule's own field manager, forcing only the fields the rule sets; one level at a time, the
/// children of a level together, with the parent's own fields); prunes; the removal of
/// Tend's finalizer; then the status (through the status subresource when the kind has one). A failing write does not stop the others: every failure is
/// collected so the status can report it, and the caller retries the object with backoff.
public struct PlanExecutor: Sendable {
    public let client: KubeClient
    public let logger: Logger
    /// When true, writes are sent with `dryRun=All` and nothing is stored (used by `tend plan`).
    public var dryRun = false
    /// Counts child writes (`tend_child_writes_total`); dry runs are never counted.
    let metrics: ChildWriteMetrics?
    /// Children found taken by objects the rule does not manage, or refused by an apply, kept
    /// across reconciles (``createChild(_:resource:plan:rule:)``).
    let createMemory = CreateMemory()
    /// Where the kinds of a plan's children are recorded before they are written (the engine's
    /// shared record); nil only in tests that build an executor alone.
    var inventory: InventoryRecorder?

    public init(client: KubeClient, logger: Logger, metrics: ChildWriteMetrics? = nil) {
        self.client = client
        self.logger = logger
        self.metrics = metrics
    }

    /// Writes are logged at info level; dry runs only at debug level (shadow mode reports them itself).
    var writeLogLevel: Logger.Level { dryRun ? .debug : .info }

    func count(_ operation: ChildWriteMetrics.Operation) {
        if !dryRun { metrics?.record(operation) }
    }

    /// What happened to each action.
    public struct Outcome: Sendable {
        public var applied: [ObjectReference] = []
        public var created: [ObjectReference] = []
        public var deleted: [ObjectReference] = []
        /// Pruned children released (`onDelete: orphan`) rather than deleted.
        public var orphaned: [ObjectReference] = []
        /// Whether Tend's finalizer was removed from an object being released.
        public var finalizerRemoved = false
        public var refused: [ObjectReference] = []
        public var failures: [ReconcilePlan.Problem] = []
        public var writes = 0
        /// Whether the parent's own fields were applied.
        public var parentPatched = false
    }

    /// Writes children, prunes and the parent patch. The status is written separately by
    /// ``writeStatus(_:plan:outcome:)`` so it can include the failures of this step.
    ///
    /// Independent writes go out together: children of one dependency level are applied
    /// concurrently (a child is applied only after every child it reads), and the parent's own
    /// fields (`patch`) are applied alongside them. A patch that adds Tend's finalizer goes
    /// first, on its own: no child that relies on the finalizer may exist without it.
    public func execute(_ plan: ReconcilePlan, rule: Rule) async -> Outcome {
        var outcome = Outcome()
        // No child of a kind the record does not name: one the planner could not find again to prune.
        if !plan.kindsToRecord.isEmpty, let inventory {
            do {
                try await inventory.record(plan.kindsToRecord, rule: rule.name, dryRun: dryRun)
            } catch {
                let kinds = plan.kindsToRecord.joined(separator: ", ")
                outcome.failures.append(.init(reason: "InventoryFailed", message: "record \(kinds) in the inventory \(inventory.namespace)/\(InventoryRecord.name): \(error)"))
                return outcome
            }
        }
        let addsFinalizer = plan.parentPatch?["metadata"]?["finalizers"] != nil
        if plan.release == nil, let patch = plan.parentPatch, !plan.removeFinalizer, addsFinalizer {
            let result = await applyParent(patch, plan: plan, rule: rule)
            // No finalizer, no children that need one: for a parent that is gone they would leak.
            if case .gone = result { return outcome }
            merge(result, into: &outcome)
            if case .failed = result { return outcome }
        }
        let alongside = plan.release == nil && !plan.removeFinalizer && !addsFinalizer ? plan.parentPatch : nil
        async let parentFields = applyParentIfAny(alongside, plan: plan, rule: rule)
        await applyChildren(plan, rule: rule, into: &outcome)
        if let result = await parentFields { merge(result, into: &outcome) }
        for pruned in plan.prune {
            do {
                let resource = try await client.resource(pruned.kind, namespace: pruned.key.namespace.isEmpty ? nil : pruned.key.namespace)
                switch pruned.policy {
                case .delete:
                    let uid = pruned.live["metadata"]?["uid"]?.stringValue
                    do {
                        _ = try await resource.delete(pruned.key.name, options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid, dryRun: dryRun))
                    } catch where error.isNotFound {
                        // Already gone.
                    }
                    outcome.deleted.append(pruned.reference)
                    count(.delete)
                case .orphan:
                    let owners = (pruned.live["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter {
                        $0["uid"]?.stringValue != plan.parentUID
                    }
                    let patch: Value = ["metadata": ["labels": [Rule.ruleLabel: .null, Rule.ownerUIDLabel: .null], "annotations": [Rule.childIDAnnotation: .null, ObjectMatch.appliedHashAnnotation: .null], "ownerReferences": owners.isEmpty ? .null : .array(owners)]]
                    _ = try await resource.patch(pruned.key.name, .merge(patch), options: WriteOptions(dryRun: dryRun, fieldManager: rule.fieldManager))
                    outcome.orphaned.append(pruned.reference)
                    count(.orphan)
                }
                outcome.writes += 1
                logger.log(level: writeLogLevel, "pruned child", metadata: ["rule": "\(rule.name)", "object": "\(plan.parent)", "child": "\(pruned.reference)", "policy": "\(pruned.policy.rawValue)"])
            } catch {
                outcome.failures.append(.init(reason: reason(for: error, default: "PruneFailed"), message: "delete \(pruned.reference): \(summary(error))", child: pruned.id))
            }
        }
        if let release = plan.release {
            if plan.removeFinalizer { await removeFinalizer(release, plan: plan, rule: rule, outcome: &outcome) }
        } else if plan.removeFinalizer {
            // Removing the finalizer: apply without the fields Tend owned, which releases them.
            merge(await applyParent(Value.emptyObject, plan: plan, rule: rule), into: &outcome)
        }
        return outcome
    }

    /// What applying the parent's own fields did.
    enum ParentResult: Sendable {
        case written, gone
        case failed(ReconcilePlan.Problem)
    }

    private func merge(_ result: ParentResult, into outcome: inout Outcome) {
        switch result {
        case .written:
            outcome.writes += 1
            outcome.parentPatched = true
        case .gone: break
        case .failed(let problem): outcome.failures.append(problem)
        }
    }

    /// ``applyParent(_:plan:)`` when there is a patch.
    private func applyParentIfAny(_ patch: Value?, plan: ReconcilePlan, rule: Rule) async -> ParentResult? {
        guard let patch else { return nil }
        return await applyParent(patch, plan: plan, rule: rule)
    }

    /// Applies `patch` (the fields of the parent the rule owns) with server-side apply as the rule;
    /// an empty patch releases every field the rule owned on it.
    ///
    /// The body names the parent's uid: a server-side apply creates what does not exist, and a
    /// reconcile working from a cache that still holds a parent just deleted must never bring it
    /// back (with the uid, the server refuses: "uid mismatch ... no existing object").
    private func applyParent(_ patch: Value, plan: ReconcilePlan, rule: Rule) async -> ParentResult {
        do {
            let resource = try await client.resource(plan.parent.kind, namespace: plan.parent.key.namespace.isEmpty ? nil : plan.parent.key.namespace)
            var body: Value = ["apiVersion": .string(plan.parent.kind.apiVersion), "kind": .string(plan.parent.kind.kind), "metadata": ["name": .string(plan.parent.key.name)]]
            if !plan.parent.key.namespace.isEmpty { body["metadata"]?["namespace"] = .string(plan.parent.key.namespace) }
            if !plan.parentUID.isEmpty { body["metadata"]?["uid"] = .string(plan.parentUID) }
            do {
                _ = try await applyOwned(body.merging(patch), resource: resource, rule: rule)
            } catch where error.isConflict && !plan.parentUID.isEmpty {
                // The uid precondition failed: gone, or replaced by another object of that name.
                let live = try? await resource.get(plan.parent.key.name)
                if live?["metadata"]?["uid"]?.stringValue != plan.parentUID { return .gone }
                return .failed(.init(reason: reason(for: error, default: "PatchFailed"), message: "apply \(plan.parent): \(summary(error))"))
            }
            return .written
        } catch where error.isNotFound {
            return .gone
        } catch {
            return .failed(.init(reason: reason(for: error, default: "PatchFailed"), message: "apply \(plan.parent): \(summary(error))"))
        }
    }

    /// Removes only the rule's finalizer (and the legacy shared one) from an object being released,
    /// leaving every other field (and the fields the rule applied) as they are: a JSON patch that first tests the finalizers are still
    /// the ones planned, so a concurrent change fails the write (and the object is retried) instead
    /// of being overwritten.
    func removeFinalizer(_ release: ReconcilePlan.Release, plan: ReconcilePlan, rule: Rule, outcome: inout Outcome) async {
        let remaining = release.finalizers.filter { !rule.handlesFinalizer($0) }
        let patch: [Value] = [
            ["op": "test", "path": "/metadata/finalizers", "value": .array(release.finalizers.map(Value.string))],
            ["op": "replace", "path": "/metadata/finalizers", "value": .array(remaining.map(Value.string))],
        ]
        do {
            let resource = try await client.resource(plan.parent.kind, namespace: plan.parent.key.namespace.isEmpty ? nil : plan.parent.key.namespace)
            _ = try await resource.patch(plan.parent.key.name, .json(patch), options: WriteOptions(dryRun: dryRun, fieldManager: rule.fieldManager))
            outcome.writes += 1
            outcome.finalizerRemoved = true
            logger.log(level: writeLogLevel, "removed finalizer", metadata: ["rule": "\(plan.rule)", "object": "\(plan.parent)"])
        } catch where error.isNotFound {
            // The object is gone.
        } catch {
            outcome.failures.append(.init(reason: reason(for: error, default: "PatchFailed"), message: "remove finalizer \(rule.finalizer) from \(plan.parent): \(summary(error))"))
        }
    }

    /// Writes the status as the rule's status manager, including failures from ``execute(_:rule:)``
    /// in the Ready condition.
    /// - Returns: whether a write was made.
    public func writeStatus(_ status: Value, plan: ReconcilePlan, rule: Rule) async -> Result<Bool, KubeError> {
        await writeStatusSteps(status, plan: plan, rule: rule).map { $0 != nil }
    }

    /// ``writeStatus(_:plan:rule:)``, returning the resourceVersion of each write it made, in order
    /// (nil when it made none): a merge patch removing fields first when there are any, then the apply.
    func writeStatusSteps(_ status: Value, plan: ReconcilePlan, rule: Rule) async -> Result<[String]?, KubeError> {
        do {
            let resource = try await client.resource(plan.parent.kind, namespace: plan.parent.key.namespace.isEmpty ? nil : plan.parent.key.namespace)
            guard resource.resource.hasStatus else {
                logger.debug("kind has no status subresource; status not written", metadata: ["rule": "\(plan.rule)", "object": "\(plan.parent)"])
                return .success(nil)
            }
            var body: Value = ["apiVersion": .string(plan.parent.kind.apiVersion), "kind": .string(plan.parent.kind.kind), "metadata": ["name": .string(plan.parent.key.name)], "status": status]
            if !plan.parent.key.namespace.isEmpty { body["metadata"]?["namespace"] = .string(plan.parent.key.namespace) }
            var versions: [String] = []
            func record(_ written: Value) {
                if let v = written["metadata"]?["resourceVersion"]?.stringValue { versions.append(v) }
            }
            if !plan.statusFieldsToRemove.isEmpty {
                // Removed with a merge patch first: a server-side apply that drops a field it owned
                // leaves a null behind on some API server versions (1.20), which typed CRD schemas reject.
                var removal = Value.Object()
                for field in plan.statusFieldsToRemove { removal[field] = .null }
                record(try await resource.patchStatus(plan.parent.key.name, .merge(["status": .object(removal)]), options: WriteOptions(dryRun: dryRun, fieldManager: rule.statusFieldManager)))
            }
            record(try await applyOwned(body, resource: resource, rule: rule, status: true))
            return .success(versions)
        } catch where error.isNotFound {
            return .success(nil)
        } catch {
            return .failure(error)
        }
    }

    /// A server-side apply that would create the object is authorized a second time as `create`, and
    /// that refusal comes with an empty reason (`services "x" is forbidden: `); name the permission.
    func createHint(_ error: KubeError, kind: GroupVersionKind) async -> String? {
        guard error.isForbidden, let message = error.status?.message,
            message.trimmingCharacters(in: .whitespaces).hasSuffix("forbidden:")
        else { return nil }
        let resource = (try? await client.discovery.resource(for: kind))?.name ?? kind.kind
        return "cannot create resource \"\(resource)\" in API group \"\(kind.group)\" (a server-side apply that creates an object needs create; see tend rbac)"
    }

    func isManaged(_ object: Value, rule: Rule, plan: ReconcilePlan) -> Bool {
        let labels = object["metadata"]?["labels"]
        return labels?[Rule.ruleLabel]?.stringValue == rule.name && labels?[Rule.ownerUIDLabel]?.stringValue == plan.parentUID
    }

    func reason(for error: KubeError, default fallback: String) -> String {
        if error.isInvalid { return "Invalid" }
        if error.isForbidden { return "Forbidden" }
        if error.isConflict { return "Conflict" }
        return fallback
    }

    /// The server's message and causes, without the request line (which repeats the object).
    func summary(_ error: KubeError) -> String {
        var s = error.status?.message ?? error.message
        let causes = error.status?.causes.compactMap { c -> String? in
            guard let m = c.message ?? c.reason else { return nil }
            return c.field.map { "\($0): \(m)" } ?? m
        } ?? []
        if !causes.isEmpty && !causes.allSatisfy({ s.contains($0) }) { s += " (" + causes.joined(separator: "; ") + ")" }
        return s
    }
}

