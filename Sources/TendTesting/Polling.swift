public import Testing

/// Polls `condition` every `interval` until it holds or `timeout` passes. On a timeout it records an
/// issue at the caller, "timed out waiting for: <what>" followed by `detail()` (the engine's last log
/// lines, say), and returns false.
///
/// The default timeout is generous on purpose: cluster tests run in parallel on a loaded 2-core
/// machine, and a bound that only holds on an idle one is a flaky test. A test that measures how
/// long something takes measures it itself, after this returns.
@discardableResult
public func poll(
    until what: String, timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(200),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async -> Bool, detail: () -> String = { "" }
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    let more = detail()
    Issue.record("timed out waiting for: \(what)\(more.isEmpty ? "" : "\n" + more)", sourceLocation: sourceLocation)
    return false
}
