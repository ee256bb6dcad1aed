import TendEngine

/// A progress line on standard error while a live `tend plan` or `tend explain` lists the cluster:
/// objects listed per kind, rewritten in place every 200 ms, erased when the work is done. Only on a
/// terminal; nothing otherwise (a pipe or a CI log gets no carriage returns).
enum ProgressLine {
    /// Runs `body`, showing `line()` meanwhile when standard error is a terminal.
    static func showing<T: Sendable>(_ line: @escaping @Sendable () -> String, while body: () async throws -> T) async rethrows -> T {
        guard Terminal.isTTY(2) else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Quick work shows nothing; longer work a line rewritten every 200 ms.
                try? await Task.sleep(for: .milliseconds(150))
                while !Task.isCancelled {
                    Terminal.writeStderr("\r\u{1B}[K" + line())
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { group.cancelAll() }
            let result = try await body()
            group.cancelAll()
            Terminal.writeStderr("\r\u{1B}[K")
            return result
        }
    }

    /// `Listing: ConfigMap.v1 1,204, Deployment.v1.apps 31 (synced 1 of 2 kinds)`.
    static func listing(_ progress: [Engine.ListingProgress]) -> String {
        guard !progress.isEmpty else { return "Connecting..." }
        let synced = progress.filter(\.synced).count
        let kinds = progress.map { "\($0.kind) \(grouped($0.objects))" }.joined(separator: ", ")
        return "Listing: \(kinds) (synced \(synced) of \(progress.count) \(progress.count == 1 ? "kind" : "kinds"))"
    }

    /// `1,204`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }
}
