import Foundation
public import Logging
import Synchronization
public import TendKube
public import TendValue

/// Records Kubernetes Events on watched objects, aggregated so a hot loop cannot flood the API.
///
/// Like client-go's event correlator: an Event repeated (same object, type, reason and message)
/// within ``aggregationWindow`` updates the existing Event's `count` and `lastTimestamp` instead of
/// creating another, and each object may emit at most ``burst`` Events, refilled at one per
/// ``refillInterval``. Failures to record are logged, never thrown: Events are best effort.
public final class EventRecorder: Sendable {
    public let client: KubeClient
    public let logger: Logger
    public let aggregationWindow: Duration = .seconds(600)
    public let burst = 25
    public let refillInterval: Duration = .seconds(300)

    private struct Seen { var name: String; var namespace: String; var count: Int; var last: ContinuousClock.Instant }
    private struct Budget { var tokens: Double; var updated: ContinuousClock.Instant }
    private struct State { var seen: [String: Seen] = [:]; var budgets: [String: Budget] = [:] }
    private let state = Mutex(State())

    public init(client: KubeClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// Records an Event about `object` (which must have apiVersion, kind, metadata name and uid).
    public func record(_ object: Value, type: EventType, reason: String, message: String) async {
        guard let uid = object["metadata"]?["uid"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else { return }
        let namespace = object["metadata"]?["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let key = "\(uid)|\(type.rawValue)|\(reason)|\(message)"
        let now = ContinuousClock.now
        enum Decision { case create, update(Seen), drop }
        let decision: Decision = state.withLock { s in
            if let seen = s.seen[key], now - seen.last < aggregationWindow {
                s.seen[key]?.count += 1
                s.seen[key]?.last = now
                return .update(s.seen[key]!)
            }
            var budget = s.budgets[uid] ?? Budget(tokens: Double(burst), updated: now)
            let refill = (now - budget.updated) / refillInterval
            budget.tokens = min(Double(burst), budget.tokens + refill)
            budget.updated = now
            guard budget.tokens >= 1 else {
                s.budgets[uid] = budget
                return .drop
            }
            budget.tokens -= 1
            s.budgets[uid] = budget
            if s.seen.count > 4096 { s.seen = s.seen.filter { now - $0.value.last < aggregationWindow } }
            return .create
        }
        let timestamp = RFC3339.format(Date())
        do {
            let events = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Event")!, namespace: namespace)
            switch decision {
            case .drop:
                logger.debug("event dropped by the per-object rate limit", metadata: ["object": "\(name)", "reason": "\(reason)"])
            case .update(let seen):
                let patch: Value = ["count": .int(Int64(seen.count)), "lastTimestamp": .string(timestamp)]
                _ = try await events.patch(seen.name, .merge(patch))
            case .create:
                let eventName = "\(name).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
                let event: Value = [
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": ["name": .string(eventName), "namespace": .string(namespace)],
                    "involvedObject": [
                        "apiVersion": object["apiVersion"] ?? .null, "kind": object["kind"] ?? .null, "name": .string(name),
                        "namespace": object["metadata"]?["namespace"] ?? .null, "uid": .string(uid),
                        "resourceVersion": object["metadata"]?["resourceVersion"] ?? .null,
                    ],
                    "reason": .string(reason), "message": .string(String(message.prefix(1024))), "type": .string(type.rawValue),
                    "source": ["component": "tend"], "reportingComponent": "tend", "count": 1,
                    "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp),
                ]
                _ = try await events.create(event)
                state.withLock { $0.seen[key] = Seen(name: eventName, namespace: namespace, count: 1, last: now) }
            }
        } catch {
            logger.debug("could not record event", metadata: ["object": "\(name)", "reason": "\(reason)", "error": "\(error)"])
        }
    }
}
