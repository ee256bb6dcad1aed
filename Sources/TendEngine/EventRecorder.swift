import Foundation
public import Logging
import Synchronization
public import TendKube
import TendMeta
public import TendValue

/// Records Kubernetes Events on watched objects, aggregated so a hot loop cannot flood the API.
///
/// Like client-go's event correlator: an Event repeated (same object, type, reason and message)
/// within ``aggregationWindow`` updates the existing Event's `count` and `lastTimestamp` instead of
/// creating another, and each object may emit at most ``burst`` Events, refilled at one per
/// ``refillInterval``.
///
/// Like client-go's broadcaster, recording never waits for the API server: ``record(_:type:reason:message:)``
/// decides (aggregate, create or drop) at once and queues the write; ``run()`` writes the queue in
/// order. At most ``bufferSize`` writes wait; beyond that new Events are dropped (and logged at
/// debug level). Failures to write are logged, never thrown: Events are best effort.
public final class EventRecorder: Sendable {
    public let client: KubeClient
    public let logger: Logger
    public let aggregationWindow: Duration = .seconds(600)
    public let burst = 25
    public let refillInterval: Duration = .seconds(300)
    public static let bufferSize = 1000
    /// When false (shadow mode), ``record(_:type:reason:message:)`` does nothing: no Event is written.
    public let writesEvents: Bool

    private struct Seen { var name: String; var namespace: String; var count: Int; var last: ContinuousClock.Instant }
    private struct Budget { var tokens: Double; var updated: ContinuousClock.Instant }
    private struct State { var seen: [String: Seen] = [:]; var budgets: [String: Budget] = [:] }
    private let state = Mutex(State())

    /// A write decided by ``record(_:type:reason:message:)``, carried out by ``run()``.
    private enum Write: Sendable {
        case create(namespace: String, event: Value)
        case update(namespace: String, name: String, count: Int, timestamp: String)
    }
    private let writes = AsyncStream<Write>.makeStream(bufferingPolicy: .bufferingOldest(EventRecorder.bufferSize))
    private let pending = Mutex(0)

    public init(client: KubeClient, logger: Logger, writesEvents: Bool = true) {
        self.client = client
        self.logger = logger
        self.writesEvents = writesEvents
    }

    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// Queues an Event about `object` (which must have apiVersion, kind, metadata name and uid).
    /// Returns at once; the write happens in ``run()``. Does nothing unless ``writesEvents``.
    public func record(_ object: Value, type: EventType, reason: String, message: String) {
        guard writesEvents else { return }
        guard let uid = object["metadata"]?["uid"]?.stringValue, let name = object["metadata"]?["name"]?.stringValue else { return }
        let namespace = object["metadata"]?["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let key = "\(uid)|\(type.rawValue)|\(reason)|\(message)"
        let now = ContinuousClock.now
        let timestamp = RFC3339.format(Date())
        let write: Write? = state.withLock { s in
            if let seen = s.seen[key], now - seen.last < aggregationWindow {
                s.seen[key]?.count += 1
                s.seen[key]?.last = now
                return .update(namespace: seen.namespace, name: seen.name, count: seen.count + 1, timestamp: timestamp)
            }
            var budget = s.budgets[uid] ?? Budget(tokens: Double(burst), updated: now)
            let refill = (now - budget.updated) / refillInterval
            budget.tokens = min(Double(burst), budget.tokens + refill)
            budget.updated = now
            guard budget.tokens >= 1 else {
                s.budgets[uid] = budget
                return nil
            }
            budget.tokens -= 1
            s.budgets[uid] = budget
            if s.seen.count > 4096 { s.seen = s.seen.filter { now - $0.value.last < aggregationWindow } }
            let eventName = "\(name).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
            s.seen[key] = Seen(name: eventName, namespace: namespace, count: 1, last: now)
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
            return .create(namespace: namespace, event: event)
        }
        guard let write else {
            logger.debug("event dropped by the per-object rate limit", metadata: ["object": "\(name)", "reason": "\(reason)"])
            return
        }
        pending.withLock { $0 += 1 }
        if case .dropped = writes.continuation.yield(write) {
            pending.withLock { $0 -= 1 }
            logger.debug("event dropped: too many waiting to be written", metadata: ["object": "\(name)", "reason": "\(reason)"])
        }
    }

    /// Writes queued Events in order until cancelled. Call once (``Engine/run()`` does).
    public func run() async {
        let events = GroupVersionKind(apiVersion: "v1", kind: "Event")!
        for await write in writes.stream {
            if Task.isCancelled { return }
            do {
                switch write {
                case .create(let namespace, let event):
                    _ = try await client.resource(events, namespace: namespace).create(event)
                case .update(let namespace, let name, let count, let timestamp):
                    let patch: Value = ["count": .int(Int64(count)), "lastTimestamp": .string(timestamp)]
                    _ = try await client.resource(events, namespace: namespace).patch(name, .merge(patch))
                }
            } catch {
                logger.debug("could not record event", metadata: ["error": "\(error)"])
            }
            pending.withLock { $0 -= 1 }
        }
    }

    /// Events queued and not yet written (or failed).
    public var pendingCount: Int { pending.withLock { $0 } }
}
