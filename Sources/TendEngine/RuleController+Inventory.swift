import Logging
import Synchronization
import TendKube
import TendMeta
import TendRules
import TendRuntime

extension RuleController {
    /// How long ``holdKinds(_:)`` waits for a new informer's first list.
    static let inventorySyncTimeout: Duration = .seconds(10)

    /// Makes the cache hold `kinds`: kinds in the rule's inventory record (or a watched object's
    /// former inventory annotation) that no template of the rule has any more (a template removed by
    /// a reload or before a restart), so their children can be found and pruned. Starts the shared
    /// informer of managed objects of each kind (label `tend.dev/rule`, as for children) with a
    /// handler like a child kind's, and waits until it has listed. A kind the server does not serve
    /// has no objects: it is remembered as such, and counts as searched.
    ///
    /// The wait is bounded (``inventorySyncTimeout``): an informer that cannot list (the RBAC
    /// generated after the template was removed no longer grants it) must not hold a worker. Its
    /// store counts as held only once it has listed, so until then its children are kept; a later
    /// reconcile looks again.
    ///
    /// - Returns: whether the cache holds more than before (then plan again).
    func holdKinds(_ kinds: [GroupVersionKind]) async -> Bool {
        let missing = state.withLock { s in kinds.filter { s.stores[$0] == nil && !s.unserved.contains($0) } }
        guard !missing.isEmpty else { return false }
        let mapping = try? await client.discovery.mapping()
        var waiting: [(GroupVersionKind, Informer)] = []
        for kind in missing {
            if let pending = state.withLock({ $0.inventoryInformers[kind] }) {
                waiting.append((kind, pending))
                continue
            }
            guard let resource = mapping?.resource(for: kind) else {
                logger.info("a kind in the inventory is not served; it has no children left", metadata: ["kind": "\(kind)"])
                state.withLock { _ = $0.unserved.insert(kind) }
                continue
            }
            let informer = factory.informer(for: resource, namespace: options.namespace, labelSelector: Self.managedSelector)
            let token = informer.addHandler { [weak self] change in self?.childChanged(change) }
            state.withLock { s in
                s.inventoryInformers[kind] = informer
                s.namespaced[kind] = resource.namespaced
                s.handlers.append((informer, token))
            }
            logger.debug("caching a kind from the inventory", metadata: ["kind": "\(kind)"])
            waiting.append((kind, informer))
        }
        let deadline = ContinuousClock.now + Self.inventorySyncTimeout
        var held = false
        for (kind, informer) in waiting {
            while !informer.hasSynced, ContinuousClock.now < deadline, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
            guard informer.hasSynced else {
                logger.warning("cannot list a kind in the inventory yet; its children are kept until it can be listed (does Tend's role still allow list and watch on it?)", metadata: ["kind": "\(kind)"])
                continue
            }
            state.withLock { s in
                s.stores[kind, default: []].append(informer.store)
                s.inventoryInformers[kind] = nil
            }
            held = true
        }
        return held || waiting.count < missing.count
    }
}
