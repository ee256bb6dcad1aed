import ArgumentParser
import Foundation
import Logging
import TendKube
import TendMeta
import TendRules
import TendValue

/// Options `tend plan` and `tend explain` share: where the cluster state comes from (a live
/// cluster, or YAML files), the output format, a fixed clock and log verbosity.
struct PlanningOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Files or directories holding the cluster state (offline: no cluster needed).")
    var state: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: String = "text"

    @Option(help: "As of this time (RFC 3339), for reproducible output (default: now).")
    var now: String?

    @Flag(name: .shortAndLong, help: "Log what it does (-v info, -vv debug; kubectl's -v=N too).")
    var verbose: Int

    @Option(help: "Against a cluster: fail when the informers have not listed every kind the rules read within this long (Go duration), naming the kinds.")
    var timeout = "60s"

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else { throw ValidationError("--output must be text or json") }
        guard let timeout = syncTimeout, timeout > .zero else { throw ValidationError("--timeout must be a duration such as 60s or 2m") }
        if let now, RFC3339.parse(now) == nil { throw ValidationError("--now must be an RFC 3339 time like 2026-01-01T00:00:00Z") }
    }

    var format: OutputFormat { OutputFormat(rawValue: output) ?? .text }
    /// `--timeout` parsed.
    var syncTimeout: Duration? { RunCommand.parseDuration(timeout) }
    /// `--now`, else the current time.
    var date: Date { now.flatMap(RFC3339.parse) ?? Date() }
}

/// The steps `tend plan` and `tend explain` share.
extension PlanningOptions {
    /// The rules at `paths`; every diagnostic is printed, and errors end the command (exit 1).
    func loadRules(_ paths: [String]) throws -> RuleLoader.Result {
        let loaded = RuleLoader().load(paths: paths)
        Self.report(loaded.diagnostics, sources: loaded.sources)
        if loaded.hasErrors { throw ExitCode(1) }
        return loaded
    }

    /// The objects of `--state`; every diagnostic is printed, and errors end the command (exit 1).
    func loadState() throws -> StateLoader.Result {
        let world = StateLoader().load(paths: state)
        Self.report(world.diagnostics, sources: world.sources)
        if world.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
        return world
    }

    /// A client for the cluster `cluster` names, logging at `--verbose`; the caller shuts it down.
    func makeClient(_ cluster: ClusterOptions) throws -> (client: KubeClient, configuration: ClientConfiguration, logger: Logger) {
        let logger = LogSetup.make(verbosity: verbose)
        let configuration = try cluster.load()
        var clientOptions = KubeClient.Options()
        clientOptions.logger = logger
        return (KubeClient(configuration: configuration, options: clientOptions), configuration, logger)
    }

    private static func report(_ diagnostics: [Diagnostic], sources: [String: String]) {
        let color = Terminal.useColor(2)
        for d in diagnostics { Terminal.writeStderr(d.render(source: sources[d.location.file], color: color) + "\n") }
    }
}
