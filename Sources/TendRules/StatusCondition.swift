public import Foundation
import TendMeta
public import TendValue

/// Builds `status.conditions` entries as Kubernetes expects them: `lastTransitionTime` kept while the
/// status does not change, `observedGeneration` from the object, a reason always present.
public enum StatusCondition {
    /// The condition `type` with `status`, given the live conditions it replaces.
    public static func make(
        type: String, status: String, reason: String?, message: String?, live: [Value], generation: Value?, now: Date
    ) -> Value {
        let previous = live.first { $0["type"]?.stringValue == type }
        let transition = previous?["status"]?.stringValue == status
            ? (previous?["lastTransitionTime"] ?? .string(RFC3339.format(now))) : .string(RFC3339.format(now))
        var c: Value = ["type": .string(type), "status": .string(status), "lastTransitionTime": transition]
        c["reason"] = .string(reason.flatMap { $0.isEmpty ? nil : $0 } ?? (status == "True" ? "AsExpected" : "NotReady"))
        if let message { c["message"] = .string(message) }
        if let generation { c["observedGeneration"] = generation }
        return c
    }

    /// `Ready=False` carrying `problems` (the first problem's reason, every message).
    public static func notReady(_ problems: [ReconcilePlan.Problem], live: [Value], generation: Value?, now: Date) -> Value {
        let reason = problems.first { $0.reason != "Waiting" }?.reason ?? problems.first?.reason ?? "NotReady"
        return make(type: "Ready", status: "False", reason: reason, message: problems.map(\.message).joined(separator: "; "),
                    live: live, generation: generation, now: now)
    }

    /// `conditions` with `condition` in place of the one of the same type (or appended).
    public static func replacing(_ condition: Value, in conditions: [Value]) -> [Value] {
        var out = conditions
        if let i = out.firstIndex(where: { $0["type"] == condition["type"] }) { out[i] = condition } else { out.append(condition) }
        return out
    }
}

extension ReconcilePlan {
    /// The planned status with `failures` found while carrying the plan out reported on `Ready`.
    public func status(reporting failures: [Problem], parent: Value, now: Date) -> Value? {
        guard var status = self.status else { return nil }
        guard !failures.isEmpty else { return status }
        let live = parent["status"]?["conditions"]?.arrayValue ?? []
        let ready = StatusCondition.notReady(failures, live: live, generation: parent["metadata"]?["generation"], now: now)
        status["conditions"] = .array(StatusCondition.replacing(ready, in: status["conditions"]?.arrayValue ?? []))
        return status
    }
}
