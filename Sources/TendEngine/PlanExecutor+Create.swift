import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendValue

/// Names of children found taken by an object the rule does not manage, so that later creates of
/// them read before they write. Shared by every reconcile of one rule (``PlanExecutor``).
///
/// The cache holds only objects Tend manages, so it cannot tell a free name from one taken by
/// somebody else's object. A create is therefore sent without a read first (``PlanExecutor/createChild(_:resource:plan:rule:)``),
/// and the first create of a taken name finds out from the server's answer. Remembering the name
/// keeps that to once: the next reconciles of the parent read the object (one GET, no write), as
/// every create did before, until the name is free or the object is the rule's.
final class TakenNames: Sendable {
    /// Each taken name, with the uid of the object when what the rule's create added to it is still
    /// to be released (the release failed).
    private let names = Mutex<[ObjectReference: String?]>([:])

    /// A bound on the names remembered; past it, names no longer waiting for a release are
    /// forgotten (a create of one then costs an apply that finds the name taken once more).
    static let limit = 10_000

    /// Whether `reference` is known to be taken, and the uid of its object when a release is
    /// still owed to it.
    func lookup(_ reference: ObjectReference) -> (taken: Bool, releasePending: String?) {
        names.withLock { set in set[reference].map { (true, $0) } ?? (false, nil) }
    }

    func insert(_ reference: ObjectReference, releasePending uid: String? = nil) {
        names.withLock { set in
            if set.count >= Self.limit { set = set.filter { $0.value != nil } }
            set[reference] = .some(uid)
        }
    }

    func remove(_ reference: ObjectReference) {
        _ = names.withLock { $0.removeValue(forKey: reference) }
    }
}

extension PlanExecutor {
    /// Creates a child the cache does not hold, in one request on the common path: a server-side
    /// apply **without** force. Kept guarantees:
    ///
    /// - **No adoption of others' objects.** When the name is free, the apply creates the object
    ///   and its `managedFields` name only the rule. When an object of that name already exists,
    ///   the apply without force cannot change a value another manager set (the server answers
    ///   409 Conflict and writes nothing); it can only add fields nobody set, and the answer then
    ///   shows the other managers. Those added fields are released at once by applying an empty
    ///   configuration as the rule (the object is as it was, fields and values), and the child is
    ///   refused as `NotOwned`. In either case the name is remembered (``TakenNames``) and the
    ///   next reconciles check it with a GET, writing nothing.
    /// - **An object the rule does manage** that the cache did not hold yet (a conflict with its
    ///   own earlier write that another manager changed since): the GET shows Tend's labels for
    ///   this parent, and the child is applied with force, as an update.
    /// - **Dry runs** (`dryRun=All`) write nothing; a taken name is reported the same way.
    func createChild(_ child: PlannedChild, resource: ResourceClient, plan: ReconcilePlan, rule: Rule) async throws(KubeError) -> ChildResult {
        let known = takenNames.lookup(child.reference)
        if let uid = known.releasePending {
            // Its labels now say it is the rule's: the object itself is not to be believed.
            if await release(child, uid: uid, resource: resource, rule: rule) { takenNames.insert(child.reference) }
            return notOwned(child, rule: rule)
        }
        if known.taken {
            let existing: Value?
            do { existing = try await resource.get(child.key.name) } catch where error.isNotFound { existing = nil }
            if let existing, !isManaged(existing, rule: rule, plan: plan) { return notOwned(child, rule: rule) }
            takenNames.remove(child.reference)
            _ = try await applyOwned(child.desired, resource: resource, rule: rule)
            return existing == nil ? .created(child.reference) : .applied(child.reference)
        }
        let created: Value
        do {
            created = try await resource.apply(child.desired, options: ApplyOptions(fieldManager: rule.fieldManager, force: false, dryRun: dryRun))
        } catch where error.isConflict {
            let existing = try await resource.get(child.key.name)
            guard isManaged(existing, rule: rule, plan: plan) else {
                takenNames.insert(child.reference)
                return notOwned(child, rule: rule)
            }
            _ = try await applyOwned(child.desired, resource: resource, rule: rule)
            return .applied(child.reference)
        }
        let others = Self.otherManagers(of: created, rule: rule)
        guard !others.isEmpty else { return .created(child.reference) }
        logger.info("a child's name is taken by an object the rule does not manage", metadata: [
            "rule": "\(rule.name)", "child": "\(child.reference)", "managers": "\(others.joined(separator: ","))",
        ])
        let uid = created["metadata"]?["uid"]?.stringValue ?? ""
        let released = dryRun || uid.isEmpty ? true : await release(child, uid: uid, resource: resource, rule: rule)
        takenNames.insert(child.reference, releasePending: released ? nil : uid)
        return notOwned(child, rule: rule)
    }

    /// The field managers of `object` other than `rule`'s own (its field and status managers, and
    /// the applies of Tend's former single manager): on an object the apply just created, there
    /// are none. Writes other than applies under the former manager's name are others': they come
    /// from clients with Tend's user agent (``LegacyOwnership``).
    static func otherManagers(of object: Value, rule: Rule) -> [String] {
        let own: Set<String> = [rule.fieldManager, rule.statusFieldManager]
        let others = (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { entry -> String? in
            guard let manager = entry["manager"]?.stringValue, !own.contains(manager) else { return nil }
            if manager == Rule.legacyFieldManager, entry["operation"]?.stringValue == "Apply" { return nil }
            return manager
        }
        return Array(Set(others)).sorted()
    }

    /// Releases every field the rule's apply added to an object that was not the rule's: an apply
    /// of no fields as the same manager removes those only it set and leaves the rest as they were.
    /// Until it succeeds (tried again at the parent's next reconciles, which retry with backoff),
    /// the object carries the rule's labels and is not taken for the rule's.
    ///
    /// The apply names the object's uid, so it never creates one (the object may be gone, or
    /// replaced, by then: nothing is left to release).
    ///
    /// - Returns: whether the release was made, or is no longer needed.
    private func release(_ child: PlannedChild, uid: String, resource: ResourceClient, rule: Rule) async -> Bool {
        var empty: Value = ["apiVersion": .string(child.kind.apiVersion), "kind": .string(child.kind.kind), "metadata": ["name": .string(child.key.name), "uid": .string(uid)]]
        if !child.key.namespace.isEmpty { empty["metadata"]?["namespace"] = .string(child.key.namespace) }
        do {
            _ = try await resource.apply(empty, options: ApplyOptions(fieldManager: rule.fieldManager, force: false))
            return true
        } catch where error.isNotFound || error.isConflict {
            // Gone, or another object by now (the uid precondition failed).
            return true
        } catch {
            logger.error("could not release what a create added to an object the rule does not manage; trying again at the next reconcile", metadata: [
                "rule": "\(rule.name)", "child": "\(child.reference)", "error": "\(error)",
            ])
            return false
        }
    }

    func notOwned(_ child: PlannedChild, rule: Rule) -> ChildResult {
        .refused(child.reference, .init(reason: "NotOwned", message: "\(child.reference) exists and is not managed by rule \(rule.name) for this object; set adopt: true on child \(child.id) to take it over", child: child.id))
    }
}
