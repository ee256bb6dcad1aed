import ArgumentParser
import Foundation
import Logging
import TendEngine
import TendKube
import TendMeta
import TendOffline
import TendRules
import TendValue

/// `tend explain`: why each rule did or did not act on one object.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain why each rule does or does not act on one object, and what it would do next.",
        discussion: """
            For every rule: each selection criterion with its verdict (kind, namespaces, label selector, \
            field selector, name pattern, when). For a rule that selects the object: each child's decision \
            (create, update with its diff, unchanged, waiting, refused, left out by includeWhen, pruned) and \
            readiness with the readyWhen that is false, the phase machine's transitions with their guards, \
            and the conditions it would write. Against a cluster, also the object's Ready condition and its \
            latest Events. KIND is what kubectl accepts: a kind, plural, singular or short name, optionally \
            with .group. Writes nothing. Exit codes: 0 some rule selects the object, 3 none does, \
            1 errors (rules that do not load, an object that does not exist, a cluster that cannot be \
            reached or verified, a selecting rule whose kinds are not served or do not list within \
            --timeout).
            """)

    @Argument(help: ArgumentHelp("Rule files or directories, then the object: KIND/NAME (WebApp/shop, webapps.example.com/shop, cm/settings).", valueName: "rules... KIND/NAME"))
    var arguments: [String] = []

    /// The rule paths: every argument but the last.
    var rules: [String] { Array(arguments.dropLast()) }
    /// The object, as typed: the last argument.
    var object: String { arguments.last ?? "" }

    @OptionGroup var planning: PlanningOptions

    @OptionGroup var cluster: ClusterOptions

    /// Exit code when no rule selects the object.
    static let notSelected: Int32 = 3

    func validate() throws {
        guard arguments.count >= 2 else { throw ValidationError("give the rules, then the object: tend explain rules/ KIND/NAME") }
        guard parsedObject != nil else { throw ValidationError("the object must be KIND/NAME, e.g. WebApp/shop") }
    }

    var parsedObject: (kind: String, name: String)? {
        guard let slash = object.firstIndex(of: "/") else { return nil }
        let kind = String(object[..<slash]), name = String(object[object.index(after: slash)...])
        return kind.isEmpty || name.isEmpty || name.contains("/") ? nil : (kind, name)
    }

    func run() async throws {
        let loaded = try planning.loadRules(rules)
        guard let (kind, name) = parsedObject else { throw ExitCode(1) }
        let date = planning.date
        let explanation: ObjectExplanation
        if planning.state.isEmpty {
            let (client, configuration, logger) = try planning.makeClient(cluster)
            var options = EngineOptions()
            options.inventoryNamespace = configuration.namespace
            let engine = Engine(rules: loaded.rules, client: client, options: options, logger: logger)
            do {
                explanation = try await ProgressLine.showing({ ProgressLine.listing(engine.listingProgress) }) {
                    try await engine.explain(
                        kind, name: name, namespace: cluster.namespace ?? configuration.namespace, now: date,
                        syncTimeout: planning.syncTimeout ?? .seconds(60))
                }
                await client.shutdown()
            } catch let error as KubeError where error.isNotFound {
                await client.shutdown()
                throw fail("\(object) not found\(cluster.namespace.map { " in namespace \($0)" } ?? "")")
            } catch {
                await client.shutdown()
                throw fail("\(error)")
            }
        } else {
            let world = try planning.loadState()
            // Objects as the offline cluster holds them (with the UIDs it gives objects without one).
            let cluster = OfflineCluster(objects: world.objects, clusterScoped: world.clusterScoped)
            let objects = cluster.world.all
            let target = try find(kind: kind, name: name, in: objects, rules: loaded.rules)
            let namespace = target["metadata"]?["namespace"]?.stringValue ?? ""
            let labels = objects.first { $0["kind"] == "Namespace" && $0["apiVersion"] == "v1" && $0["metadata"]?["name"]?.stringValue == namespace }?["metadata"]?["labels"]
            explanation = ObjectExplanation.explain(target, rules: loaded.rules, namespaceLabels: labels, world: cluster.world, now: date)
        }
        switch planning.format {
        case .text: Terminal.writeStdout(ExplainRenderer(color: Terminal.useColor(1)).render(explanation))
        case .json: Terminal.writeStdout(JSON.serialize(ExplainRenderer.json(explanation), options: .prettyPrinted) + "\n")
        }
        if !explanation.isSelected { throw ExitCode(Self.notSelected) }
    }

    /// The object of the state files that KIND/NAME (and `-n`) names. Kinds resolve among those
    /// of the state and the rules; without `-n`, the name must be unique among namespaces.
    func find(kind typed: String, name: String, in objects: [Value], rules: [Rule]) throws -> Value {
        let kinds = objects.compactMap { GroupVersionKind(apiVersion: $0["apiVersion"]?.stringValue ?? "", kind: $0["kind"]?.stringValue ?? "") }
            + rules.map(\.watch.kind)
        let resolved = KindResolver.resolve(typed, among: kinds)
        guard !resolved.isEmpty else { throw fail("no kind \"\(typed)\" in the state files or the rules") }
        let candidates = objects.filter { o in
            guard let k = GroupVersionKind(apiVersion: o["apiVersion"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? ""), resolved.contains(k),
                o["metadata"]?["name"]?.stringValue == name
            else { return false }
            return cluster.namespace.map { o["metadata"]?["namespace"]?.stringValue ?? "" == $0 } ?? true
        }
        let where_ = cluster.namespace.map { " in namespace \($0)" } ?? ""
        guard let first = candidates.first else { throw fail("\(resolved[0].kind) \(name) not found\(where_) in the state files") }
        guard candidates.count == 1 else {
            throw fail("\(resolved[0].kind) \(name) exists in several namespaces (\(candidates.map { $0["metadata"]?["namespace"]?.stringValue ?? "" }.joined(separator: ", "))): pick one with -n")
        }
        return first
    }

    private func fail(_ message: String) -> ExitCode {
        Terminal.writeStderr("error: \(message)\n")
        return ExitCode(1)
    }
}
