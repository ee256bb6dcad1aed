import Logging
import TendKube
import TendMeta
import TendRules
import TendValue

extension PlanExecutor {
    /// How many times a takeover of the legacy manager's fields is tried when a concurrent write
    /// changes the object between the read and the patch.
    static let takeoverAttempts = 3

    /// Applies `body` with server-side apply as the rule (``Rule/fieldManager``, or
    /// ``Rule/statusFieldManager`` through the status subresource), forcing the fields it sets.
    ///
    /// When the server's answer shows fields still owned by Tend's former single manager
    /// (``LegacyOwnership``), they are handed to the rule with a patch of `managedFields` guarded by
    /// the resourceVersion, and `body` is applied once more so the server releases what the rule
    /// owned that way but no longer sets. A takeover that keeps failing is logged and tried again at
    /// the rule's next write of the object; the apply itself has succeeded.
    func applyOwned(_ body: Value, resource: ResourceClient, rule: Rule, status: Bool = false) async throws(KubeError) -> Value {
        let options = ApplyOptions(fieldManager: status ? rule.statusFieldManager : rule.fieldManager, force: true, dryRun: dryRun)
        func send() async throws(KubeError) -> Value {
            status ? try await resource.applyStatus(body, options: options) : try await resource.apply(body, options: options)
        }
        let result = try await send()
        guard !dryRun, LegacyOwnership.needsTakeover(result), let name = body["metadata"]?["name"]?.stringValue else { return result }
        var current = result
        for attempt in 1...Self.takeoverAttempts {
            guard let fields = LegacyOwnership.managedFields(of: current, takenOverBy: rule) else { return result }
            do {
                _ = try await resource.patch(name, .json(LegacyOwnership.patch(installing: fields, on: current)), options: WriteOptions(fieldManager: rule.fieldManager))
                logger.info("took over the fields of the former field manager", metadata: [
                    "rule": "\(rule.name)", "object": "\(resource.resource.kind) \(name)", "from": "\(Rule.legacyFieldManager)",
                ])
                return try await send()
            } catch {
                logger.debug("takeover of the former field manager's fields failed", metadata: ["object": "\(name)", "attempt": "\(attempt)", "error": "\(error)"])
                guard attempt < Self.takeoverAttempts, let fresh = try? await resource.get(name) else { break }
                current = fresh
            }
        }
        logger.warning("could not take over the fields of the former field manager; trying again at the next write", metadata: ["rule": "\(rule.name)", "object": "\(name)"])
        return result
    }
}
