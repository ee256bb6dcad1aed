public import TendMeta
public import TendValue
import TendYAML

/// The objects of one side (offline or live) after a step, by reference: the ones the
/// differential tests compare.
public struct DifferentialSnapshot: Sendable {
    public var objects: [ObjectReference: Value]

    public init(objects: [ObjectReference: Value] = [:]) {
        self.objects = objects
    }

    public init(_ objects: [Value]) {
        self.objects = [:]
        for o in objects { if let ref = ObjectReference(of: o) { self.objects[ref] = o } }
    }
}

/// One object on which the two sides disagree after a step: it exists on one side only, or its
/// comparable views (``DifferentialView``) differ.
public struct Difference: Sendable, CustomStringConvertible {
    public var object: ObjectReference
    /// The comparable view of each side; nil where the object does not exist.
    public var offline: Value?
    public var live: Value?

    public init(object: ObjectReference, offline: Value?, live: Value?) {
        self.object = object
        self.offline = offline
        self.live = live
    }

    public var kind: Kind {
        switch (offline, live) {
        case (_?, nil): .offlineOnly
        case (nil, _?): .liveOnly
        default: .differs
        }
    }

    public enum Kind: Sendable, Hashable { case offlineOnly, liveOnly, differs }

    /// A headline naming the object, then a unified diff of the two views (offline `-`, live `+`).
    public var description: String {
        let headline = switch kind {
        case .offlineOnly: "\(object) exists offline only"
        case .liveOnly: "\(object) exists live only"
        case .differs: "\(object) differs"
        }
        return headline + ":\n" + UnifiedDiff.render(old: offline, new: live, oldLabel: "offline", newLabel: "live")
    }
}

/// Compares an offline and a live snapshot object by object. Pure.
public enum DifferentialComparison {
    /// The differences between the two sides over every object that exists on either, in a stable
    /// order (by kind, then key). Server-assigned values are named per side (``ServerIdentities``)
    /// from the snapshot's own objects.
    public static func differences(offline: DifferentialSnapshot, live: DifferentialSnapshot, view: DifferentialView = DifferentialView()) -> [Difference] {
        let offlineIDs = ServerIdentities(objects: Array(offline.objects.values))
        let liveIDs = ServerIdentities(objects: Array(live.objects.values))
        let refs = Set(offline.objects.keys).union(live.objects.keys).sorted { ($0.kind.description, $0.key) < ($1.kind.description, $1.key) }
        return refs.compactMap { ref in
            let o = offline.objects[ref].map { view.comparable($0, identities: offlineIDs) }
            let l = live.objects[ref].map { view.comparable($0, identities: liveIDs) }
            return o == l ? nil : Difference(object: ref, offline: o, live: l)
        }
    }
}

/// A difference between the offline cluster and the API server that is known and not fixed yet:
/// the differential tests report it instead of failing, and fail when it no longer occurs (so the
/// list only holds what is left).
public struct KnownDifference: Sendable, CustomStringConvertible {
    /// The RuleTest's `metadata.name`, the step's name (nil: every step), the object.
    public var test: String
    public var step: String?
    public var object: ObjectReference
    /// What differs, why the offline cluster does it, and what the API server does.
    public var reason: String

    public init(test: String, step: String? = nil, object: ObjectReference, reason: String) {
        self.test = test
        self.step = step
        self.object = object
        self.reason = reason
    }

    public func matches(test: String, step: String, _ difference: Difference) -> Bool {
        self.test == test && (self.step == nil || self.step == step) && object == difference.object
    }

    public var description: String { "\(test) / \(step ?? "every step") / \(object): \(reason)" }
}
