import Foundation
public import TendMeta
public import TendOffline
public import TendValue

/// A read-only view of the cluster that a reconcile plans against.
///
/// `tend run` backs it with the informer cache (reads never wait on the network, and may be
/// slightly stale); offline `tend plan` and `tend test` back it with objects from files. The planner
/// never writes through it.
public protocol WorldSnapshot: Sendable {
    /// The live object, or nil when it does not exist (or is not cached).
    func object(_ kind: GroupVersionKind, namespace: String, name: String) -> Value?
    /// Objects of `kind` in `namespace` (nil: every namespace) whose labels match `labelSelector`
    /// (string form; empty matches all).
    func list(_ kind: GroupVersionKind, namespace: String?, labelSelector: String) -> [Value]
    /// Whether `kind` is namespaced; nil when the kind is unknown to the server.
    func isNamespaced(_ kind: GroupVersionKind) -> Bool?
    /// Whether the snapshot holds the objects of `kind` Tend manages, so that an empty ``list(_:namespace:labelSelector:)``
    /// means there are none. A live cache holds only the kinds it has informers for; a kind it does
    /// not hold is never taken to have no children (the engine starts an informer for it first).
    func holds(_ kind: GroupVersionKind) -> Bool
    /// The kinds the rule named `rule` has recorded having children of (``InventoryRecord``), as
    /// `apiVersion/Kind` strings: the kinds searched for children to prune beyond its templates'.
    func recordedKinds(ofRule rule: String) -> Set<String>
}

extension WorldSnapshot {
    /// Snapshots in memory hold every kind.
    public func holds(_ kind: GroupVersionKind) -> Bool { true }
}

/// The offline cluster's store (``InMemoryWorld``, in TendOffline) is a snapshot the planner reads;
/// its inventory record is kept beside its objects.
extension InMemoryWorld: WorldSnapshot {
    public func recordedKinds(ofRule rule: String) -> Set<String> { recordedKinds[rule] ?? [] }
}

extension String {
    var trimmed: String { Substring(self).trimmingCharacters(in: " ") }
}
