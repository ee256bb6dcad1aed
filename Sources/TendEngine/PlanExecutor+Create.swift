import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendValue

/// Children whose create needs a read or a check first, remembered by every reconcile of one rule
/// (``PlanExecutor``).
///
/// The cache holds only objects Tend manages, so it cannot tell a free name from one taken by
/// somebody else's object: a create is sent without a read first, and the first create of a taken
/// name finds out from the server's answer (409 AlreadyExists). Remembering the name keeps that to
/// once: the next reconciles of the parent read the object (one GET, no write) until the name is
/// free or the object is the rule's. Children whose create the server took although an apply of
/// the same object is refused (``PlanExecutor/createChild(_:resource:plan:rule:)``) are remembered
/// too: their next creates are checked with a dry-run apply first, which writes nothing.
final class CreateMemory: Sendable {
    enum Mark: Sendable { case taken, refusedByApply }

    private let marks = Mutex<[ObjectReference: Mark]>([:])

    /// A bound on the children remembered; past it, all are forgotten (the next create of a taken
    /// name costs one refused create more, of a refused child one create and delete more).
    static let limit = 10_000

    func mark(of reference: ObjectReference) -> Mark? {
        marks.withLock { $0[reference] }
    }

    func set(_ mark: Mark, for reference: ObjectReference) {
        marks.withLock { marks in
            if marks.count >= Self.limit { marks.removeAll() }
            marks[reference] = mark
        }
    }

    func forget(_ reference: ObjectReference) {
        _ = marks.withLock { $0.removeValue(forKey: reference) }
    }
}

extension PlanExecutor {
    /// Creates a child the cache does not hold, in one request on the common path: a `POST` as the
    /// rule's field manager, the API server's cheapest write (about half the server's CPU of an
    /// apply that creates). Kept guarantees:
    ///
    /// - **No adoption of others' objects.** A create never changes an object that exists: when the
    ///   name is taken the server answers 409 AlreadyExists and writes nothing. The object is then
    ///   read: one the rule does not manage refuses the child as `NotOwned` and the name is
    ///   remembered (``CreateMemory``), so the next reconciles only read it; one the rule does manage
    ///   (the cache was behind) is applied with force, as an update.
    /// - **Exact field removal later.** The create leaves an `Update` entry of the rule's manager in
    ///   `managedFields`; the child's first apply moves it into the rule's Apply entry
    ///   (``applyOwned(_:resource:rule:status:)``, ``OwnershipTakeover``), so a field a later
    ///   template stops setting is released as if the child had been created by an apply.
    /// - **What an apply refuses is refused.** A `POST` is laxer than an apply: a built-in kind's
    ///   unknown fields are dropped and a list with two items of one key is stored (with no
    ///   `managedFields` at all), where an apply refuses both. When the created object lacks a field
    ///   the child sets or the rule's entry, a dry-run apply asks the server; when it refuses, the
    ///   object just created is deleted (only that uid) and the child fails with the apply's error.
    ///   Its next creates are checked with the dry-run apply first.
    /// - **Dry runs** (`dryRun=All`) write nothing; a taken name is reported the same way.
    func createChild(_ child: PlannedChild, resource: ResourceClient, plan: ReconcilePlan, rule: Rule) async throws(KubeError) -> ChildResult {
        switch createMemory.mark(of: child.reference) {
        case .taken?:
            let existing: Value?
            do { existing = try await resource.get(child.key.name) } catch where error.isNotFound { existing = nil }
            if let existing {
                guard isManaged(existing, rule: rule, plan: plan) else { return notOwned(child, rule: rule) }
                createMemory.forget(child.reference)
                _ = try await applyOwned(child.desired, resource: resource, rule: rule)
                return .applied(child.reference)
            }
            createMemory.forget(child.reference)
        case .refusedByApply?:
            _ = try await resource.apply(child.desired, options: ApplyOptions(fieldManager: rule.fieldManager, force: true, dryRun: true))
            createMemory.forget(child.reference)
        case nil:
            break
        }
        return try await post(child, resource: resource, plan: plan, rule: rule, retryingGone: true)
    }

    private func post(_ child: PlannedChild, resource: ResourceClient, plan: ReconcilePlan, rule: Rule, retryingGone: Bool) async throws(KubeError) -> ChildResult {
        let created: Value
        do {
            created = try await resource.create(child.desired, options: WriteOptions(dryRun: dryRun, fieldManager: rule.fieldManager))
        } catch where error.isAlreadyExists {
            let existing: Value
            do {
                existing = try await resource.get(child.key.name)
            } catch where error.isNotFound && retryingGone {
                // Deleted between the two requests: the name is free again.
                return try await post(child, resource: resource, plan: plan, rule: rule, retryingGone: false)
            }
            guard isManaged(existing, rule: rule, plan: plan) else {
                logger.info("a child's name is taken by an object the rule does not manage", metadata: ["rule": "\(rule.name)", "child": "\(child.reference)"])
                createMemory.set(.taken, for: child.reference)
                return notOwned(child, rule: rule)
            }
            _ = try await applyOwned(child.desired, resource: resource, rule: rule)
            return .applied(child.reference)
        }
        if !Self.keepsEverything(created, desired: child.desired, manager: rule.fieldManager) {
            try await undoIfApplyRefuses(created, child: child, resource: resource, rule: rule)
        }
        return .created(child.reference)
    }

    /// Asks the server, with a dry-run apply, whether it refuses the child the create just stored;
    /// when it does, deletes what was created (only that uid) and throws the apply's error.
    private func undoIfApplyRefuses(_ created: Value, child: PlannedChild, resource: ResourceClient, rule: Rule) async throws(KubeError) {
        do {
            _ = try await resource.apply(child.desired, options: ApplyOptions(fieldManager: rule.fieldManager, force: true, dryRun: true))
        } catch {
            guard error.isInvalid || error.status?.code == 400 || error.status?.code == 500 else { return }
            createMemory.set(.refusedByApply, for: child.reference)
            if !dryRun, let uid = created["metadata"]?["uid"]?.stringValue {
                do {
                    _ = try await resource.delete(child.key.name, options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid))
                } catch where error.isNotFound || error.isConflict {
                    // Gone, or another object by now.
                } catch {
                    logger.error("could not delete a child the server created but refuses to apply", metadata: ["rule": "\(rule.name)", "child": "\(child.reference)", "error": "\(error)"])
                }
            }
            throw error
        }
    }

    /// Whether the object a `POST` created shows what an apply of `desired` would have written: the
    /// rule's entry in its `managedFields` (the server stores none when it cannot type the object)
    /// and every field `desired` sets, but for `status`, a Secret's `stringData` (moved into
    /// `data`), null values and empty maps and lists (which a create drops or ignores alike).
    /// Values are not compared: the server normalizes some (quantities, for one).
    static func keepsEverything(_ created: Value, desired: Value, manager: String) -> Bool {
        let entries = created["metadata"]?["managedFields"]?.arrayValue ?? []
        guard entries.contains(where: { $0["manager"]?.stringValue == manager }) else { return false }
        let convertedOnCreate: Set<String> = desired["kind"] == "Secret" && desired["apiVersion"] == "v1" ? ["status", "stringData"] : ["status"]
        return keeps(created, desired, skipping: convertedOnCreate)
    }

    private static func keeps(_ created: Value, _ desired: Value, skipping: Set<String> = []) -> Bool {
        switch (desired, created) {
        case (.object(let want), .object(let have)):
            for (key, value) in want where !skipping.contains(key) && !isEmpty(value) {
                guard let kept = have[key], keeps(kept, value) else { return false }
            }
            return true
        case (.array(let want), .array(let have)):
            return want.count == have.count && zip(have, want).allSatisfy { keeps($0, $1) }
        default:
            return true
        }
    }

    private static func isEmpty(_ value: Value) -> Bool {
        switch value {
        case .null: true
        case .object(let fields): fields.isEmpty
        case .array(let items): items.isEmpty
        default: false
        }
    }

    func notOwned(_ child: PlannedChild, rule: Rule) -> ChildResult {
        .refused(child.reference, .init(reason: "NotOwned", message: "\(child.reference) exists and is not managed by rule \(rule.name) for this object; set adopt: true on child \(child.id) to take it over", child: child.id))
    }
}
