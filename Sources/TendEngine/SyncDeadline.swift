import TendKube
import TendRuntime

/// Waiting for informers with a deadline: a live plan or explanation must end, and say which
/// kinds never listed, rather than wait forever for a list the server keeps refusing.
enum SyncDeadline {
    /// Waits until every informer of `factory` has synced or `deadline` has passed; returns a
    /// description of each informer not synced by then (empty when all are).
    static func wait(for factory: SharedInformerFactory, until deadline: ContinuousClock.Instant) async -> [String] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await factory.waitForSync() }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
        return factory.informers.filter { !$0.hasSynced }.map(describe).sorted()
    }

    /// `ConfigMap.v1 in namespace shop (last error: list: ... forbidden)`.
    static func describe(_ informer: Informer) -> String {
        var out = "\(informer.kind)"
        if let namespace = informer.namespace { out += " in namespace \(namespace)" }
        if let selector = informer.labelSelector { out += " with labels \(selector)" }
        if let failure = informer.statistics.lastFailure { out += " (last error: \(failure))" }
        return out
    }

    /// The failure of a rule whose informers did not sync within `timeout`.
    static func timeout(rule: String, after timeout: Duration, unsynced: [String]) -> RuleFailure {
        RuleFailure(
            rule: rule, reason: .syncTimeout,
            message: "the cache did not sync within \(format(timeout)) (--timeout); not synced: \(unsynced.joined(separator: "; "))",
            unsynced: unsynced)
    }

    /// `60s`, `1.5s`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18)s"
    }

    /// The failure of a rule whose informers could not be set up.
    static func setUp(rule: String, _ error: any Error) -> RuleFailure {
        var message = "cannot watch what the rule reads: \(error)"
        if let kube = error as? KubeError, kube.code == .unknownResource {
            message += " (is its CRD installed?)"
        }
        return RuleFailure(rule: rule, reason: .setUp, message: message)
    }
}
