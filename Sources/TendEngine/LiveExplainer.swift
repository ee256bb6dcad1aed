public import Foundation
import Logging
import TendKube
import TendMeta
public import TendRules
import TendRuntime
import TendValue

extension Engine {
    /// How many Events `explain` shows, newest first.
    public static let explainEventLimit = 5

    /// Explains why each rule does or does not act on one live object (`tend explain`).
    ///
    /// Resolves `typedKind` through discovery as kubectl does (kind, plural, singular, short name,
    /// optionally `.group`), reads the object and its namespace, evaluates every rule's selection
    /// on them, and plans the next reconcile for each rule that selects the object with the same
    /// informers, ``Planner`` and server-side dry runs as ``planAll(syncTimeout:)``, traced. Also reads the
    /// object's `Ready` condition and its most recent core/v1 Events. Writes nothing.
    ///
    /// - Parameters:
    ///   - namespace: the object's namespace; ignored for a cluster-scoped kind.
    ///   - syncTimeout: how long the informers of the rules that select the object may take to list,
    ///     from the call on.
    /// - Throws: ``KubeError`` when the kind is not served or the object does not exist
    ///   (`isNotFound`), or a read fails; ``RuleFailure`` when a selecting rule's informers cannot be
    ///   set up or do not sync within `syncTimeout`.
    public func explain(
        _ typedKind: String, name: String, namespace: String, now: Date = Date(), syncTimeout: Duration = .seconds(60)
    ) async throws -> ObjectExplanation {
        let deadline = ContinuousClock.now + syncTimeout
        let resource = try await client.discovery.resolve(typedKind)
        let objectNamespace = resource.namespaced ? namespace : ""
        let object = try await client.resource(resource.groupVersionKind, namespace: resource.namespaced ? namespace : nil).get(name)
        var namespaceLabels: Value?
        if resource.namespaced {
            let namespaces = try await client.resource(ScopeCheck.namespaceKind)
            namespaceLabels = try? await namespaces.get(namespace)["metadata"]?["labels"]
        }
        let informers = Task { await factory.run() }
        defer { informers.cancel() }
        var rules: [ObjectExplanation.RuleExplanation] = []
        for controller in controllers {
            let rule = controller.rule
            let checks = rule.watch.explain(object: object, namespaceLabels: namespaceLabels)
            guard checks.allSatisfy(\.passed) else {
                rules.append(.init(rule: rule.name, checks: checks, plan: nil))
                continue
            }
            do {
                try await controller.setUpOnce()
            } catch {
                throw SyncDeadline.setUp(rule: rule.name, error)
            }
            let unsynced = await SyncDeadline.wait(for: factory, until: deadline)
            guard unsynced.isEmpty else { throw SyncDeadline.timeout(rule: rule.name, after: syncTimeout, unsynced: unsynced) }
            // Plan the object as the rule reads it: in the version it watches.
            var parent = object
            if rule.watch.kind != resource.groupVersionKind,
                let read = try? await client.resource(rule.watch.kind, namespace: resource.namespaced ? namespace : nil).get(name)
            {
                parent = read
            }
            let plan = await controller.plan(parent: parent, now: now, trace: true)
            rules.append(.init(rule: rule.name, checks: checks, plan: plan))
        }
        let ready = object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        let events = try await recentEvents(about: object, namespace: objectNamespace)
        return ObjectExplanation(object: ObjectExplanation.reference(of: object), rules: rules, live: .init(ready: ready, events: events))
    }

    /// The most recent core/v1 Events whose involvedObject is `object` (by name, namespace and
    /// uid), newest first.
    func recentEvents(about object: Value, namespace: String) async throws -> [Value] {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        var selector = "involvedObject.name=\(name)"
        if !namespace.isEmpty { selector += ",involvedObject.namespace=\(namespace)" }
        if let uid = object["metadata"]?["uid"]?.stringValue { selector += ",involvedObject.uid=\(uid)" }
        let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: namespace.isEmpty ? nil : namespace)
        let items = try await events.list(ListOptions(fieldSelector: selector)).items
        let dated = items.map { (time: ExplainRenderer.eventTime($0).flatMap(RFC3339.parse) ?? .distantPast, event: $0) }
        return Array(dated.sorted { $0.time > $1.time }.prefix(Self.explainEventLimit).map(\.event))
    }
}
