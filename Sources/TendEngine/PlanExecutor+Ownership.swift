import Logging
import TendKube
import TendMeta
import TendRules
import TendValue

extension PlanExecutor {
    /// How many times a takeover of fields (``OwnershipTakeover``) is tried when a concurrent
    /// write changes the object between the read and the patch.
    static let takeoverAttempts = 3

    /// Applies `body` with server-side apply as the rule (``Rule/fieldManager``, or
    /// ``Rule/statusFieldManager`` through the status subresource), forcing the fields it sets.
    ///
    /// When the server's answer shows fields the rule owns in another kind of entry (``OwnershipTakeover``:
    /// the Update entry its create left, or the Apply entries of Tend's former single manager), they
    /// are moved into the rule's Apply entries with a patch of `managedFields` guarded by the
    /// resourceVersion, and, when that moved a field the apply did not set, `body` is applied once
    /// more so the server releases it. Once per object: a created child's first update costs one
    /// patch more (and one apply more when it had defaults or an older template's fields). A takeover
    /// that keeps failing is logged and tried again at the rule's next write of the object; the apply
    /// itself has succeeded.
    func applyOwned(_ body: Value, resource: ResourceClient, rule: Rule, status: Bool = false) async throws(KubeError) -> Value {
        let options = ApplyOptions(fieldManager: status ? rule.statusFieldManager : rule.fieldManager, force: true, dryRun: dryRun)
        func send() async throws(KubeError) -> Value {
            status ? try await resource.applyStatus(body, options: options) : try await resource.apply(body, options: options)
        }
        let result = try await send()
        guard !dryRun, OwnershipTakeover.isNeeded(result, by: rule), let name = body["metadata"]?["name"]?.stringValue else { return result }
        var current = result
        for attempt in 1...Self.takeoverAttempts {
            guard let takeover = OwnershipTakeover.takeover(of: current, by: rule) else { return result }
            do {
                let patched = try await resource.patch(name, .json(OwnershipTakeover.patch(installing: takeover.managedFields, on: current)), options: WriteOptions(fieldManager: rule.fieldManager))
                logger.log(level: LegacyOwnership.needsTakeover(current) ? .info : .debug, "moved the rule's fields into its apply entry", metadata: [
                    "rule": "\(rule.name)", "object": "\(resource.resource.kind) \(name)", "releases": "\(takeover.releases)",
                ])
                return takeover.releases ? try await send() : patched
            } catch {
                logger.debug("takeover of fields failed", metadata: ["object": "\(name)", "attempt": "\(attempt)", "error": "\(error)"])
                guard attempt < Self.takeoverAttempts, let fresh = try? await resource.get(name) else { break }
                current = fresh
            }
        }
        logger.warning("could not move the rule's fields into its apply entry; trying again at the next write", metadata: ["rule": "\(rule.name)", "object": "\(name)"])
        return result
    }
}
