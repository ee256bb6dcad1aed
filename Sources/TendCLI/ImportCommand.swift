import ArgumentParser
import Foundation
import TendRules
import TendValue

/// `tend import`: rules converted from other tools' formats.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert other tools' definitions into Tend rules.",
        subcommands: [ImportKroCommand.self])
}

/// `tend import kro FILE...`: kro ResourceGraphDefinitions as Tend rules, and a per-field report.
struct ImportKroCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kro",
        abstract: "Convert kro ResourceGraphDefinitions into Tend rules.",
        discussion: """
            Each ResourceGraphDefinition becomes one rule: SimpleSchema -> schema, resources -> children \
            (externalRef -> lookups), readyWhen/includeWhen/forEach kept, status expressions -> status.fields. \
            The rules are printed to stdout (or written to DIR/<rule>.yaml with -o) and the report to \
            stderr: every field that could not be converted, with its path; it is also kept as a comment \
            at the top of the rule. Every rule is compiled as `tend check` would. With --output json the \
            report (and the rules, without -o) is printed to stdout as JSON. Exit codes: 0 everything \
            converted, 3 some rule needs manual edits, 1 a file could not be read or holds no \
            ResourceGraphDefinition.
            """)

    @Argument(help: "Files holding kro ResourceGraphDefinitions.")
    var files: [String]

    @Option(name: .customShort("o"), help: "Write one <rule>.yaml per RGD into this directory.")
    var directory: String?

    @Option(name: .long, help: "Report format: text or json.")
    var output: String = "text"

    func validate() throws {
        guard output == "text" || output == "json" else { throw ValidationError("--output must be text or json") }
    }

    func run() throws {
        var conversions: [(file: String, conversion: KroImport.Conversion)] = []
        var errors: [KroImport.ImportError] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                errors.append(KroImport.ImportError(file: file, message: "cannot read the file"))
                continue
            }
            do {
                conversions += try KroImport.convert(text: text, file: file).map { (file, $0) }
            } catch {
                errors.append(error)
            }
        }
        // Two RGDs of one name would be one rule twice (and one CRD): refuse rather than overwrite.
        var seen: [String: String] = [:]
        conversions = conversions.filter { file, c in
            if let first = seen[c.ruleName] {
                errors.append(KroImport.ImportError(file: file, message: "\(c.source) gives the rule name \(c.ruleName), as an RGD in \(first) does; convert them separately"))
                return false
            }
            seen[c.ruleName] = file
            return true
        }
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (_, c) in conversions {
                let path = (directory as NSString).appendingPathComponent(c.ruleName + ".yaml")
                guard FileManager.default.createFile(atPath: path, contents: Data(c.yaml.utf8)) else {
                    Terminal.writeStderr("error: cannot write \(path)\n")
                    throw ExitCode(1)
                }
            }
        }
        if output == "json" {
            let report = KroImport.json(conversions, errors: errors, includeYAML: directory == nil)
            Terminal.writeStdout(JSON.serialize(report, options: .prettyPrinted) + "\n")
        } else {
            if directory == nil { Terminal.writeStdout(conversions.map(\.conversion.yaml).joined(separator: "---\n")) }
            Terminal.writeStderr(Self.report(conversions, errors: errors, directory: directory))
        }
        if !errors.isEmpty { throw ExitCode(1) }
        if conversions.contains(where: { $0.conversion.needsManualEdits }) { throw ExitCode(3) }
    }

    /// The text report: one line per RGD, then its findings indented.
    static func report(_ conversions: [(file: String, conversion: KroImport.Conversion)], errors: [KroImport.ImportError], directory: String?) -> String {
        var out = ""
        for (file, c) in conversions {
            let target = directory.map { " -> " + ($0 as NSString).appendingPathComponent(c.ruleName + ".yaml") } ?? ""
            let verdict = c.needsManualEdits ? "needs manual edits" : "converted"
            out += "\(file): \(c.source) -> rule \(c.ruleName)\(target): \(verdict)\n"
            for f in c.findings { out += "  \(f.severity == .manual ? "manual" : "note"): \(f.path): \(f.message)\n" }
        }
        for e in errors { out += "error: \(e)\n" }
        let manual = conversions.filter { $0.conversion.needsManualEdits }.count
        out += "\(plural(conversions.count, "ResourceGraphDefinition")) read, \(conversions.count - manual) converted, \(manual) need manual edits\(errors.isEmpty ? "" : ", \(plural(errors.count, "file")) failed")\n"
        return out
    }
}
