import ArgumentParser
import Foundation
import TendKube
import TendRules
import TendValue

/// `tend check`: load rules and report every problem with its location.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check rule files and report every problem as file:line:col with a caret.",
        discussion: """
            Loads every rule in the given files and directories (directories are searched for *.yaml and \
            *.yml; documents that are not rules are skipped) and reports unknown or misspelled fields, wrong \
            types, bad selectors and patterns, CEL errors, unknown references, dependency cycles and duplicate \
            ids or rule names. Exits 1 when there is an error, 0 otherwise. With --cluster, the cluster's \
            OpenAPI schemas (GET /openapi/v2, built-in kinds and installed CRDs) are fetched once and child \
            templates are checked against their kinds' schemas, and children, lookups and a schema-less \
            rule's self are typed by them.
            """)

    @Argument(help: "Rule files or directories.")
    var paths: [String]

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: String = "text"

    @Flag(help: "Also check against the schemas the cluster serves (fetches /openapi/v2 once).")
    var cluster = false

    @OptionGroup var connection: ClusterOptions

    func validate() throws {
        guard OutputFormat(rawValue: output) != nil else {
            throw ValidationError("--output must be text or json")
        }
    }

    func run() async throws {
        let schemas = cluster ? try await Self.fetchSchemas(connection) : nil
        let result = RuleLoader(schemas: schemas).load(paths: paths)
        switch OutputFormat(rawValue: output) ?? .text {
        case .text: printText(result)
        case .json: Terminal.writeStdout(JSON.serialize(Self.json(result), options: .prettyPrinted) + "\n")
        }
        if result.hasErrors { throw ExitCode(1) }
    }

    /// The cluster's schemas, from one `GET /openapi/v2`; a progress line on a terminal meanwhile.
    static func fetchSchemas(_ options: ClusterOptions) async throws -> OpenAPISchemas {
        let configuration = try options.load()
        let progress = Terminal.isTTY(2)
        if progress { Terminal.writeStderr("Fetching schemas from \(configuration.server)...") }
        defer { if progress { Terminal.writeStderr("\r\u{1B}[K") } }
        do {
            let document = try await KubeClient.withClient(configuration) { client async throws(KubeError) in try await client.openAPIV2() }
            return OpenAPISchemas(document: document)
        } catch {
            if progress { Terminal.writeStderr("\r\u{1B}[K") }
            Terminal.writeStderr("error: cannot fetch the cluster's schemas: \(error)\n")
            throw ExitCode(1)
        }
    }

    private func printText(_ result: RuleLoader.Result) {
        let color = Terminal.useColor(2)
        for d in result.diagnostics {
            Terminal.writeStderr(d.render(source: result.sources[d.location.file], color: color) + "\n")
        }
        let rules = result.rules.count
        if result.hasErrors || result.warningCount > 0 {
            Terminal.writeStderr("\(plural(result.errorCount, "error")), \(plural(result.warningCount, "warning"))\n")
        }
        if !result.hasErrors {
            let against = cluster ? " (checked against the cluster's schemas)" : ""
            Terminal.writeStdout("\(plural(rules, "rule")) OK in \(plural(result.ruleFiles.count, "file"))\(against)\n")
        }
    }

    static func json(_ result: RuleLoader.Result) -> Value {
        let diagnostics: [Value] = result.diagnostics.map { d in
            [
                "file": .string(d.location.file), "line": .int(Int64(d.location.line)), "column": .int(Int64(d.location.column)),
                "severity": .string(d.severity.rawValue), "message": .string(d.message),
            ]
        }
        return [
            "ok": .bool(!result.hasErrors),
            "errors": .int(Int64(result.errorCount)),
            "warnings": .int(Int64(result.warningCount)),
            "rules": .array(result.rules.map { .string($0.name) }),
            "diagnostics": .array(diagnostics),
        ]
    }
}

func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
