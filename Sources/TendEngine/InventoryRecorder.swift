import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendValue

/// The engine's copy of the ``InventoryRecord`` (the ConfigMap `tend-inventory` in its namespace),
/// shared by every rule, and the only writer of it.
///
/// Contract: ``load()`` reads the record once, before the rules start; the planner reads the copy
/// through ``kinds(ofRule:)`` (never the network). ``record(_:rule:dryRun:)`` is called by the
/// executor before it writes anything of a plan whose ``ReconcilePlan/kindsToRecord`` is not empty,
/// and a plan whose kinds could not be recorded writes nothing else: no child exists of a kind the
/// record does not name, so every child can be found again to be pruned.
///
/// Writes are JSON merge patches of the entries being added (the ConfigMap is created on first
/// use): additive, so rules and shards recording at once never remove each other's entries, and
/// idempotent, so two reconciles recording the same kind at once both succeed. A record that could
/// not be read at start (no permission yet, a network error) is read again before the next write.
final class InventoryRecorder: Sendable {
    static let resource = APIResource(groupVersion: GroupVersion(group: "", version: "v1"), name: "configmaps", kind: "ConfigMap", namespaced: true)

    let client: KubeClient
    let namespace: String
    let logger: Logger
    private struct State {
        var kinds: [String: Set<String>] = [:]
        var loaded = false
        /// Whether the ConfigMap exists, as far as this process knows (nil: not known).
        var exists: Bool?
        /// The write in flight for each rule: reconciles that need the same kinds wait for it
        /// rather than sending their own.
        var writing: [String: Task<Result<Void, KubeError>, Never>] = [:]
    }
    private let state = Mutex(State())

    init(client: KubeClient, namespace: String, logger: Logger) {
        self.client = client
        self.namespace = namespace
        var logger = logger
        logger[metadataKey: "inventory"] = "\(namespace)/\(InventoryRecord.name)"
        self.logger = logger
    }

    var configMaps: ResourceClient { client.resource(Self.resource, namespace: namespace) }

    /// The kinds recorded for `rule` (what is known so far).
    func kinds(ofRule rule: String) -> Set<String> {
        state.withLock { $0.kinds[rule] ?? [] }
    }

    /// Reads the record; an absent one is empty. A failure is logged, and the next write reads again.
    func load() async {
        do {
            let object = try await configMaps.get(InventoryRecord.name)
            remember(InventoryRecord.parse(object), read: true)
            state.withLock { $0.exists = true }
        } catch let error where error.isNotFound {
            state.withLock { s in
                s.loaded = true
                s.exists = false
            }
        } catch {
            logger.warning("cannot read the inventory record; children of templates removed earlier are found once it can be read", metadata: ["error": "\(error)"])
        }
    }

    private func remember(_ record: [String: Set<String>], read: Bool) {
        state.withLock { s in
            for (rule, kinds) in record { s.kinds[rule, default: []].formUnion(kinds) }
            if read { s.loaded = true }
        }
    }

    /// Adds `kinds` for `rule` to the record (nothing is sent when they are all there). One write
    /// per rule at a time: a reconcile that needs kinds while another reconcile of the rule writes
    /// waits for that write, then sends only what is still missing. In a dry run the write is sent
    /// with `dryRun=All` and the copy is left as it was.
    func record(_ kinds: [String], rule: String, dryRun: Bool) async throws(KubeError) {
        if !state.withLock({ $0.loaded }) { await load() }
        if dryRun {
            let missing = self.missing(kinds, rule: rule)
            if !missing.isEmpty { try await write(missing, rule: rule, dryRun: true) }
            return
        }
        while true {
            let missing = self.missing(kinds, rule: rule)
            guard !missing.isEmpty else { return }
            let (task, mine) = state.withLock { s -> (Task<Result<Void, KubeError>, Never>, Bool) in
                if let running = s.writing[rule] { return (running, false) }
                let task = Task<Result<Void, KubeError>, Never> {
                    // Cleared before the task ends, so a reconcile that waited on a failed write
                    // sends its own rather than waiting on this one again.
                    defer { self.state.withLock { _ = $0.writing.removeValue(forKey: rule) } }
                    do throws(KubeError) {
                        try await self.write(missing, rule: rule, dryRun: false)
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
                s.writing[rule] = task
                return (task, true)
            }
            // Another reconcile's failed write is not this one's failure: the loop sends its own.
            if case .failure(let error) = await task.value, mine { throw error }
        }
    }

    /// The kinds of `kinds` the copy does not have for `rule`.
    private func missing(_ kinds: [String], rule: String) -> [String] {
        let known = self.kinds(ofRule: rule)
        return kinds.filter { !known.contains($0) }
    }

    /// One write of `missing`: a merge patch of the entries, or a create when the record is not there.
    private func write(_ missing: [String], rule: String, dryRun: Bool) async throws(KubeError) {
        let patch = InventoryRecord.patch(rule: rule, kinds: missing)
        let options = WriteOptions(dryRun: dryRun, fieldManager: Rule.fieldManager(ofRule: rule))
        func create() async throws(KubeError) {
            do {
                _ = try await configMaps.create(InventoryRecord.configMap(namespace: namespace, rule: rule, kinds: missing), options: options)
            } catch let error where error.isAlreadyExists {
                // Created by another rule or shard meanwhile: add to it.
                _ = try await configMaps.patch(InventoryRecord.name, .merge(patch), options: options)
            }
        }
        if state.withLock({ $0.exists }) == false {
            try await create()
        } else {
            do {
                _ = try await configMaps.patch(InventoryRecord.name, .merge(patch), options: options)
            } catch let error where error.isNotFound {
                try await create()
            }
        }
        guard !dryRun else { return }
        logger.info("recorded kinds in the inventory", metadata: ["rule": "\(rule)", "kinds": "\(missing.joined(separator: ","))"])
        state.withLock { $0.exists = true }
        remember([rule: Set(missing)], read: false)
    }
}
