/// What a reconcile asks the controller to do next with its key (kube-rs `Action`,
/// controller-runtime `Result`).
///
/// Errors are the third outcome: a thrown error is retried through the queue's rate limiter
/// (per-key exponential backoff), unless it is a ``TerminalError``.
public enum ReconcileResult: Sendable, Hashable {
    /// The key is in its desired state: forget its failure history; reconcile again only when an
    /// event re-adds it.
    case done
    /// Reconcile again after `after` (for polling external state); also forgets the failure history.
    case requeue(after: Duration)
}

/// Wraps an error that retrying cannot fix (invalid spec, forbidden by policy): the controller logs
/// it and does not retry the key until an event re-adds it (controller-runtime `TerminalError`).
public struct TerminalError: Error, CustomStringConvertible {
    public var underlying: any Error

    public init(_ underlying: any Error) { self.underlying = underlying }

    public var description: String { "terminal: \(underlying)" }
}
