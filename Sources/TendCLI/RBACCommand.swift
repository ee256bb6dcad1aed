import ArgumentParser
import TendKube
import TendMeta
import TendRules
import TendValue
import TendYAML

/// `tend rbac`: print the least-privilege RBAC that `tend run` needs for the given rules.
struct RBACCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rbac",
        abstract: "Print the least-privilege RBAC `tend run` needs for the rules, ready for kubectl apply.",
        discussion: """
            Prints a ServiceAccount, a ClusterRole and ClusterRoleBinding, and, with --namespace (as \
            given to tend run) or --leader-elect, a Role and RoleBinding per namespace. Resource names \
            come from a built-in table of Kubernetes kinds and the rules' schemas; --discover asks the \
            cluster instead (for kinds defined by other CRDs). docs/rbac.md explains each permission.
            """)

    @Argument(help: "Rule files or directories.")
    var rules: [String]

    @Option(name: [.short, .customLong("namespace")], help: "The namespace tend run is limited to (its --namespace).")
    var namespace: String?

    @Option(name: .customLong("service-account"), help: "The ServiceAccount tend run uses.")
    var serviceAccount = "tend"

    @Option(name: .customLong("service-account-namespace"), help: "The ServiceAccount's namespace.")
    var serviceAccountNamespace = "tend-system"

    @Option(help: "Name of the roles and bindings (default: the ServiceAccount's name).")
    var name: String?

    @Flag(name: .customLong("leader-elect"), help: "tend run uses --leader-elect: allow the Lease.")
    var leaderElect = false

    @Option(name: .customLong("lease-namespace"), help: "The Lease's namespace (default: --namespace, else the ServiceAccount's).")
    var leaseNamespace: String?

    @Option(name: .customLong("inventory-namespace"), help: "tend run's --inventory-namespace: where the inventory record is (default: the Lease's namespace with --leader-elect, else --namespace, else the ServiceAccount's).")
    var inventoryNamespace: String?

    @Flag(help: "Resolve kinds through the cluster's discovery (needs a kubeconfig).")
    var discover = false

    @Option(help: "Path to a kubeconfig file, for --discover.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context, for --discover.")
    var context: String?

    @Option(name: .shortAndLong, help: "Output format: yaml or json (a v1 List).")
    var output = "yaml"

    func validate() throws {
        guard ["yaml", "json"].contains(output) else { throw ValidationError("--output must be yaml or json") }
        if leaseNamespace != nil && !leaderElect { throw ValidationError("--lease-namespace needs --leader-elect") }
        if (kubeconfig != nil || context != nil) && !discover { throw ValidationError("--kubeconfig and --context are only used with --discover") }
    }

    func run() async throws {
        let loaded = RuleLoader().load(paths: rules)
        let color = Terminal.useColor(2)
        for d in loaded.diagnostics { Terminal.writeStderr(d.render(source: loaded.sources[d.location.file], color: color) + "\n") }
        if loaded.hasErrors { throw ExitCode(1) }

        var mapping: RESTMapping?
        if discover {
            do {
                let configuration = try KubeConfigLoader(explicitPath: kubeconfig, context: context).load()
                mapping = try await KubeClient.withClient(configuration) { client in try await client.discovery.mapping() }
            } catch {
                Terminal.writeStderr("error: discovery: \(error)\n")
                throw ExitCode(1)
            }
        }
        var options = RBACGenerator.Options()
        options.namespace = namespace
        options.serviceAccount = serviceAccount
        options.serviceAccountNamespace = serviceAccountNamespace
        options.name = name
        options.leaderElection = leaderElect
        options.leaseNamespace = leaseNamespace
        options.inventoryNamespace = inventoryNamespace
        let generator = RBACGenerator(options: options, resolver: ResourceResolver(rules: loaded.rules, mapping: mapping))
        let result: RBACGenerator.Output
        do {
            result = try generator.grants(for: loaded.rules)
        } catch {
            for p in error.problems { Terminal.writeStderr("error: \(p)\n") }
            throw ExitCode(1)
        }
        for w in result.warnings { Terminal.writeStderr("warning: \(w)\n") }
        let manifests = generator.manifests(for: result.grants)
        switch output {
        case "json":
            let list: Value = ["apiVersion": "v1", "kind": "List", "items": .array(manifests)]
            Terminal.writeStdout(JSON.serialize(list, options: .prettyPrinted) + "\n")
        default:
            let command = (["tend"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            Terminal.writeStdout(RBACGenerator.explanation(result.grants, rules: loaded.rules.map(\.name), command: command) + YAML.serializeDocuments(manifests))
        }
    }
}
