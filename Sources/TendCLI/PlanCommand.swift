import ArgumentParser
import Foundation
import Logging
import TendEngine
import TendKube
import TendOffline
import TendRules
import TendValue

/// `tend plan`: show what the rules would change, writing nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the changes rules would make, with diffs, and write nothing.",
        discussion: """
            Against a cluster (the default), plan runs the same informers and reconcile code as `tend run` \
            and writes nothing: it only lists, watches and gets, and refines every planned write with a \
            server-side dry run, so server defaults do not show as changes. With --state, the cluster state \
            comes from YAML files instead (multi-document files and kind: List are expanded; CRDs among them \
            say which custom kinds are cluster-scoped) and no cluster is needed. Exit codes, like \
            terraform plan -detailed-exitcode: 0 no changes, 2 changes pending, 1 errors. A rule that \
            cannot be planned is an error: the cluster cannot be reached or verified (TLS), a kind it \
            reads is not served (CRD not installed), or its informers have not listed within --timeout \
            (listing forbidden, say); the message names the rule and the kinds.
            """)

    @Argument(help: "Rule files or directories.")
    var rules: [String]

    @OptionGroup var planning: PlanningOptions

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let loaded = try planning.loadRules(rules)
        let plans: [ReconcilePlan]
        var failures: [RuleFailure] = []
        var refusedState: [String] = []
        if planning.state.isEmpty {
            let (client, configuration, logger) = try planning.makeClient(cluster)
            var options = EngineOptions()
            options.namespace = cluster.namespace
            options.inventoryNamespace = configuration.namespace
            let engine = Engine(rules: loaded.rules, client: client, options: options, logger: logger)
            let live = await ProgressLine.showing({ ProgressLine.listing(engine.listingProgress) }) {
                await engine.planAll(syncTimeout: planning.syncTimeout ?? .seconds(60))
            }
            await client.shutdown()
            plans = live.plans
            failures = live.failures
        } else {
            let world = try planning.loadState()
            let run = OfflineRun(rules: loaded.rules, cluster: OfflineCluster(objects: world.objects, clusterScoped: world.clusterScoped), now: planning.date)
            // A state object its kind's schema refuses could not be on a cluster: the plan would be fiction.
            refusedState = run.cluster.failures
            plans = run.plans(followingChains: true)
        }
        let summary = PlanRenderer.summarize(plans)
        switch planning.format {
        case .text:
            let renderer = PlanRenderer(color: Terminal.useColor(1))
            for plan in plans where plan.hasChanges || !plan.problems.isEmpty || plan.suspended {
                Terminal.writeStdout(renderer.render(plan) + "\n")
            }
            let suspended = summary.suspended > 0 ? ", \(summary.suspended) suspended" : ""
            let notPlanned = failures.isEmpty ? "" : " \(plural(failures.count, "rule")) could not be planned."
            Terminal.writeStdout("Plan: \(summary.line)\(summary.problems > 0 ? ", \(plural(summary.problems, "problem"))" : "")\(suspended).\(notPlanned)\n")
        case .json:
            var value: Value = [
                "plans": .array(plans.map(PlanRenderer.json)),
                "summary": [
                    "create": .int(Int64(summary.create)), "update": .int(Int64(summary.update)),
                    "delete": .int(Int64(summary.delete)), "status": .int(Int64(summary.status)),
                    "problems": .int(Int64(summary.problems)), "suspended": .int(Int64(summary.suspended)),
                    "notPlanned": .int(Int64(failures.count)),
                ],
                "failures": .array(failures.map { ["rule": .string($0.rule), "message": .string($0.message)] }),
            ]
            if !refusedState.isEmpty { value["refusedState"] = .array(refusedState.map(Value.string)) }
            Terminal.writeStdout(JSON.serialize(value, options: .prettyPrinted) + "\n")
        }
        // An incomplete plan is never "no changes": say which rules are missing, and fail.
        for failure in failures { Terminal.writeStderr("error: cannot plan \(failure)\n") }
        for refusal in refusedState { Terminal.writeStderr("error: the API server would refuse this state object: \(refusal)\n") }
        if summary.problems > 0 || !failures.isEmpty || !refusedState.isEmpty { throw ExitCode(1) }
        if summary.hasChanges { throw ExitCode(2) }
    }
}
