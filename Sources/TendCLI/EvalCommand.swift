import ArgumentParser
import Foundation
import TendCEL
import TendValue
import TendYAML

/// `tend eval '<expr>' [--self FILE] [--var NAME=JSON]...`: evaluates a CEL expression the way
/// rules do, for debugging. Prints the result as JSON on stdout and exits 0; an evaluation error
/// exits 1; a syntax or checking error (printed with a caret) exits 2.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a CEL expression and print the result as JSON.",
        discussion: """
            Exit status: 0 on success, 1 when evaluation fails, 2 when the expression does not \
            parse or refers to unknown variables or functions.

            Example: tend eval 'self.spec.replicas > 0' --self deployment.json
            """
    )

    @Argument(help: "The CEL expression.")
    var expression: String

    @Option(name: .customLong("self"), help: "A JSON file whose content is bound to `self`.")
    var selfFile: String?

    @Option(name: .customLong("var"), help: "A variable binding NAME=JSON (repeatable), e.g. --var 'n=3'.")
    var variables: [String] = []

    func run() async throws {
        var bindings: [String: Value] = [:]
        if let selfFile {
            bindings["self"] = try Self.readJSONFile(selfFile)
        }
        for binding in variables {
            guard let eq = binding.firstIndex(of: "="), eq != binding.startIndex else {
                throw ValidationError("--var expects NAME=JSON, got '\(binding)'")
            }
            let name = String(binding[..<eq])
            let text = String(binding[binding.index(after: eq)...])
            do {
                bindings[name] = try JSON.parse(text)
            } catch {
                throw ValidationError("--var \(name): '\(text)' is not valid JSON (\(error.message); quote strings: --var '\(name)=\"text\"')")
            }
        }
        let environment = CELEnvironment(variables: Array(bindings.keys))
        let location = SourceLocation(file: "<expression>", line: 1, column: 1)
        let program: CELProgram
        do {
            program = try CELProgram(expression, environment: environment, location: location)
        } catch {
            let color = Terminal.useColor(2)
            for d in error.diagnostics { Terminal.writeStderr(d.render(source: expression, color: color) + "\n") }
            throw ExitCode(2)
        }
        do {
            let result = try program.evaluate(bindings)
            Terminal.writeStdout(result.jsonText + "\n")
        } catch {
            let d = program.diagnostic(for: error)
            Terminal.writeStderr(d.render(source: expression, color: Terminal.useColor(2)) + "\n")
            throw ExitCode(1)
        }
    }

    /// Reads a JSON or YAML object file (`-` for standard input); a syntax error is printed with its
    /// location and a caret, and exits 2 like any other input error.
    static func readJSONFile(_ path: String) throws -> Value {
        let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path)
        guard let handle, let data = try? handle.readToEnd() ?? Data() else {
            throw ValidationError("cannot read \(path)")
        }
        let label = path == "-" ? "<stdin>" : path
        let bytes = [UInt8](data)
        if let value = try? JSON.parse(bytes) { return value }
        do {
            return try YAML.parse(String(decoding: bytes, as: UTF8.self), file: label).value
        } catch {
            Terminal.writeStderr(error.render(source: String(decoding: bytes, as: UTF8.self), color: Terminal.useColor(2)) + "\n")
            throw ExitCode(2)
        }
    }
}
