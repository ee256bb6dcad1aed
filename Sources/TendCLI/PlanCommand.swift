import ArgumentParser
import Foundation
import TendRules
import TendValue

/// `tend plan`: show what the rules would change, writing nothing.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the changes rules would make, with diffs, and write nothing.",
        discussion: """
            With --state, the cluster state comes from YAML files (multi-document files and kind: List \
            are expanded; CRDs among them say which custom kinds are cluster-scoped) and no cluster is \
            needed. Exit codes, like terraform plan -detailed-exitcode: 0 no changes, 2 changes pending, \
            1 errors.
            """)

    @Argument(help: "Rule files or directories.")
    var rules: [String]

    @Option(name: .long, parsing: .upToNextOption, help: "Files or directories holding the cluster state (offline planning).")
    var state: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: String = "text"

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else { throw ValidationError("--output must be text or json") }
        guard !state.isEmpty else {
            throw ValidationError("pass --state FILES to plan against cluster state read from files")
        }
    }

    func run() throws {
        let loaded = RuleLoader().load(paths: rules)
        let color = Terminal.useColor(2)
        for d in loaded.diagnostics { Terminal.writeStderr(d.render(source: loaded.sources[d.location.file], color: color) + "\n") }
        if loaded.hasErrors { throw ExitCode(1) }
        let world = StateLoader().load(paths: state)
        for d in world.diagnostics { Terminal.writeStderr(d.render(source: world.sources[d.location.file], color: color) + "\n") }
        if world.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
        let run = OfflineRun(rules: loaded.rules, cluster: OfflineCluster(objects: world.objects, clusterScoped: world.clusterScoped), now: Date())
        let plans = run.plans()
        let summary = PlanRenderer.summarize(plans)
        switch OutputFormat(rawValue: output) ?? .text {
        case .text:
            let renderer = PlanRenderer(color: Terminal.useColor(1))
            for plan in plans where plan.hasChanges || !plan.problems.isEmpty {
                Terminal.writeStdout(renderer.render(plan) + "\n")
            }
            Terminal.writeStdout("Plan: \(summary.line)\(summary.problems > 0 ? ", \(plural(summary.problems, "problem"))" : "").\n")
        case .json:
            let value: Value = [
                "plans": .array(plans.map(PlanRenderer.json)),
                "summary": [
                    "create": .int(Int64(summary.create)), "update": .int(Int64(summary.update)),
                    "delete": .int(Int64(summary.delete)), "status": .int(Int64(summary.status)),
                    "problems": .int(Int64(summary.problems)),
                ],
            ]
            Terminal.writeStdout(JSON.serialize(value, options: .prettyPrinted) + "\n")
        }
        if summary.problems > 0 { throw ExitCode(1) }
        if summary.hasChanges { throw ExitCode(2) }
    }
}
