/// Which Events the engine records on watched objects (`tend run --events`).
///
/// Every Event is a write to the API server, one more request beside the child's own apply. Routine
/// creates and updates of children are already in the log (info level, "applied child") and in
/// `tend_child_writes_total`; as Events they double the requests of a fan-out (one Event per new
/// child) and push the Events users look for (problems) out of `kubectl describe`.
public enum EventPolicy: String, Sendable, CaseIterable {
    /// Problems (Warning Events: failed writes, refusals, invalid templates, contests), phase
    /// transitions, deletions of children, releases and suspensions; routine creates and updates
    /// of children are only logged. The default.
    case problems
    /// Everything `problems` records, and a Normal Event (`Created`, `Updated`) for every child
    /// written.
    case all

    /// Whether routine child writes (creates and updates) are recorded as Events.
    public var recordsRoutineWrites: Bool { self == .all }
}
