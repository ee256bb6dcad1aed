import ArgumentParser
import TendRuntime
#if canImport(Glibc)
    import Glibc
#endif

@main
struct Tend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tend",
        abstract: "Declarative reconciliation engine for Kubernetes.",
        version: TendVersion.current,
        subcommands: [CheckCommand.self, RunCommand.self, PlanCommand.self, ExplainCommand.self, TestCommand.self, CRDsCommand.self, RBACCommand.self, ImportCommand.self, EvalCommand.self, VersionCommand.self]
    )

    /// The entry point: process-wide set-up, then the command line with kubectl's verbosity forms
    /// (``VerbosityArguments``) rewritten.
    ///
    /// SIGPIPE is ignored for the whole process: a write to a socket or pipe whose reader has gone
    /// (a Prometheus scraper that disconnects mid-response, `tend plan | head`) fails with `EPIPE`
    /// instead of killing `tend`. Exec credential plugins start with every signal at its default
    /// disposition again (`PluginProcess`). The C allocator is set for a long-lived cache
    /// (``AllocatorTuning``) before any other thread starts.
    static func main() async {
        AllocatorTuning.apply()
        signal(SIGPIPE, SIG_IGN)
        await main(VerbosityArguments.normalize(Array(CommandLine.arguments.dropFirst())))
    }
}
