import Foundation
import Logging
import TendKube
import TendMeta
import TendRules
import TendValue

extension PlanExecutor {
    /// How many writes of one dependency level go out together for one object.
    static let childWritesInFlight = 16

    /// What happened to one child.
    enum ChildResult: Sendable {
        case created(ObjectReference)
        case applied(ObjectReference)
        case refused(ObjectReference, ReconcilePlan.Problem)
        /// Deleted to be created again (`updatePolicy: recreate`); its delete event reconciles the
        /// parent, which creates it.
        case deletedToRecreate(ObjectReference)
        case failed(ReconcilePlan.Problem)
    }

    /// Applies the plan's children level by level: a child whose expressions read other children
    /// goes after them; children of one level (and instances of one `forEach` child) go out
    /// concurrently, at most ``childWritesInFlight`` at a time. Results are recorded in plan order.
    func applyChildren(_ plan: ReconcilePlan, rule: Rule, into outcome: inout Outcome) async {
        let writes = plan.children.filter(\.action.isWrite)
        guard !writes.isEmpty else { return }
        let levels = Self.dependencyLevels(rule)
        let byLevel = Dictionary(grouping: writes.indices) { levels[writes[$0].id] ?? 0 }
        for level in byLevel.keys.sorted() {
            let indices = byLevel[level] ?? []
            var results = [ChildResult?](repeating: nil, count: writes.count)
            for batch in stride(from: 0, to: indices.count, by: Self.childWritesInFlight) {
                let slice = indices[batch..<min(batch + Self.childWritesInFlight, indices.count)]
                await withTaskGroup(of: (Int, ChildResult).self) { group in
                    for i in slice {
                        let child = writes[i]
                        group.addTask { (i, await applyChild(child, plan: plan, rule: rule)) }
                    }
                    for await (i, result) in group { results[i] = result }
                }
            }
            for i in indices {
                switch results[i] {
                case .created(let ref)?:
                    outcome.writes += 1
                    outcome.created.append(ref)
                case .applied(let ref)?:
                    outcome.writes += 1
                    outcome.applied.append(ref)
                case .deletedToRecreate(let ref)?:
                    outcome.writes += 1
                    outcome.deleted.append(ref)
                case .refused(let ref, let problem)?:
                    outcome.refused.append(ref)
                    outcome.failures.append(problem)
                case .failed(let problem)?:
                    outcome.failures.append(problem)
                case nil:
                    break
                }
            }
        }
    }

    /// Applies one child: a create in one request (``createChild(_:resource:plan:rule:)``, which
    /// refuses a name taken by an object Tend does not manage), unless the child says `adopt: true`;
    /// an update with force.
    func applyChild(_ child: PlannedChild, plan: ReconcilePlan, rule: Rule) async -> ChildResult {
        if child.action == .update, let why = child.replacement, let uid = child.live?["metadata"]?["uid"]?.stringValue {
            return await deleteToRecreate(child, uid: uid, plan: plan, rule: rule, why: why.description)
        }
        do {
            let resource = try await client.resource(child.kind, namespace: child.key.namespace.isEmpty ? nil : child.key.namespace)
            let result: ChildResult
            if child.action == .create, rule.allChildren.first(where: { $0.id == child.id })?.adopt != true {
                result = try await createChild(child, resource: resource, plan: plan, rule: rule)
            } else {
                _ = try await applyOwned(child.desired, resource: resource, rule: rule)
                result = child.action == .create ? .created(child.reference) : .applied(child.reference)
            }
            switch result {
            case .created, .applied:
                let created = if case .created = result { true } else { false }
                count(created ? .create : .update)
                logger.log(level: writeLogLevel, "applied child", metadata: ["rule": "\(rule.name)", "object": "\(plan.parent)", "child": "\(child.reference)", "action": "\(created ? "create" : "update")"])
            default:
                break
            }
            return result
        } catch {
            if child.action == .update, rule.allChildren.first(where: { $0.id == child.id })?.updatePolicy == .recreate,
                Self.isImmutableRefusal(error), let uid = child.live?["metadata"]?["uid"]?.stringValue
            {
                return await deleteToRecreate(child, uid: uid, plan: plan, rule: rule, why: "the update was refused as immutable")
            }
            var message = "apply \(child.reference): \(summary(error))"
            if let hint = await createHint(error, kind: child.kind) { message += hint }
            logger.log(level: dryRun ? .debug : .warning, "apply failed", metadata: ["rule": "\(rule.name)", "object": "\(plan.parent)", "child": "\(child.reference)", "error": "\(error)"])
            return .failed(.init(reason: reason(for: error, default: "ApplyFailed"), message: message, child: child.id))
        }
    }

    /// Deletes `child` (only the object with `uid`) so that its delete event reconciles the parent,
    /// which creates it again from the template (`-/+ replace`).
    func deleteToRecreate(_ child: PlannedChild, uid: String, plan: ReconcilePlan, rule: Rule, why: String) async -> ChildResult {
        do {
            let resource = try await client.resource(child.kind, namespace: child.key.namespace.isEmpty ? nil : child.key.namespace)
            _ = try await resource.delete(child.key.name, options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid, dryRun: dryRun))
            count(.delete)
            logger.info("deleted a child to recreate it", metadata: [
                "rule": "\(rule.name)", "object": "\(plan.parent)", "child": "\(child.reference)", "reason": "\(why)",
            ])
            return .deletedToRecreate(child.reference)
        } catch {
            return .failed(.init(reason: "RecreateFailed", message: "delete \(child.reference) to recreate it: \(summary(error))", child: child.id))
        }
    }

    /// Whether the API server refused an update because a field cannot change, which only a
    /// delete and create can get past.
    static func isImmutableRefusal(_ error: any Error) -> Bool {
        guard let e = error as? KubeError, e.isInvalid else { return false }
        let text = ([e.message, e.status?.message ?? ""] + (e.status?.causes.compactMap(\.message) ?? [])).joined(separator: " ")
        return text.contains("immutable") || text.contains("may not change fields") || text.contains("updates to") && text.contains("are forbidden")
    }

    /// Each child's level: 0 for a child that reads no other child, else one more than the deepest
    /// child it reads. The compiler rejects cycles, so this terminates.
    static func dependencyLevels(_ rule: Rule) -> [String: Int] {
        var levels: [String: Int] = [:]
        let byID = Dictionary(rule.allChildren.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func level(_ id: String, depth: Int) -> Int {
            if let known = levels[id] { return known }
            guard depth <= byID.count, let child = byID[id] else { return 0 }
            let l = child.dependencies.map { level($0, depth: depth + 1) + 1 }.max() ?? 0
            levels[id] = l
            return l
        }
        for child in rule.allChildren { _ = level(child.id, depth: 0) }
        return levels
    }
}
