import ArgumentParser
import Foundation
import TendKube

/// Options `tend plan` and `tend explain` share: where the cluster state comes from (a live
/// cluster, or YAML files), the output format, a fixed clock and log verbosity.
struct PlanningOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Files or directories holding the cluster state (offline: no cluster needed).")
    var state: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: String = "text"

    @Option(help: "As of this time (RFC 3339), for reproducible output (default: now).")
    var now: String?

    @Flag(name: .shortAndLong, help: "Log what it does (-v info, -vv debug).")
    var verbose: Int

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else { throw ValidationError("--output must be text or json") }
        if let now, RFC3339.parse(now) == nil { throw ValidationError("--now must be an RFC 3339 time like 2026-01-01T00:00:00Z") }
    }

    var format: OutputFormat { OutputFormat(rawValue: output) ?? .text }
    /// `--now`, else the current time.
    var date: Date { now.flatMap(RFC3339.parse) ?? Date() }
}
