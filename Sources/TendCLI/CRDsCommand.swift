import ArgumentParser
import TendRules
import TendValue
import TendYAML

/// `tend crds`: print the CustomResourceDefinitions of the kinds rules define.
struct CRDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print the CRDs generated from rule schemas, ready for kubectl apply.",
        discussion: "The status subresource is enabled and kubectl shows Phase and Ready columns.")

    @Argument(help: "Rule files or directories.")
    var rules: [String]

    func run() throws {
        let loaded = RuleLoader().load(paths: rules)
        let color = Terminal.useColor(2)
        for d in loaded.diagnostics { Terminal.writeStderr(d.render(source: loaded.sources[d.location.file], color: color) + "\n") }
        if loaded.hasErrors { throw ExitCode(1) }
        let crds = loaded.rules.compactMap { rule in rule.schema?.customResourceDefinition(phasePath: rule.status.phase?.path, statusFields: rule.status.fields.map(\.name)) }
        guard !crds.isEmpty else {
            Terminal.writeStderr("no rule declares a schema\n")
            throw ExitCode(1)
        }
        Terminal.writeStdout(YAML.serializeDocuments(crds))
    }
}
