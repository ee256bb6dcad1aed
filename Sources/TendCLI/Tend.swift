import ArgumentParser

@main
struct Tend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tend",
        abstract: "Declarative reconciliation engine for Kubernetes.",
        version: TendVersion.current,
        subcommands: [CheckCommand.self, RunCommand.self, PlanCommand.self, ExplainCommand.self, TestCommand.self, CRDsCommand.self, RBACCommand.self, EvalCommand.self]
    )

    /// The entry point: the command line with kubectl's verbosity forms (``VerbosityArguments``)
    /// rewritten.
    static func main() async {
        await main(VerbosityArguments.normalize(Array(CommandLine.arguments.dropFirst())))
    }
}
