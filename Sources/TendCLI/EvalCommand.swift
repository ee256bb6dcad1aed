import ArgumentParser
import Foundation
import TendCEL
import TendValue

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
            guard let value = JSONInput.parse(text) else {
                throw ValidationError("--var \(name): '\(text)' is not valid JSON (quote strings: --var '\(name)=\"text\"')")
            }
            bindings[name] = value
        }
        let environment = CELEnvironment(variables: Array(bindings.keys))
        let location = SourceLocation(file: "<expression>", line: 1, column: 1)
        let program: CELProgram
        do {
            program = try CELProgram(expression, environment: environment, location: location)
        } catch {
            for d in error.diagnostics { Self.printError(d.render(source: expression)) }
            throw ExitCode(2)
        }
        do {
            let result = try program.evaluate(bindings)
            print(result.jsonText)
        } catch {
            Self.printError(program.diagnostic(for: error).render(source: expression))
            throw ExitCode(1)
        }
    }

    static func readJSONFile(_ path: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        guard let value = JSONInput.parse(data) else {
            throw ValidationError("\(path) is not JSON (YAML input is not supported by tend eval yet)")
        }
        return value
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// JSON text to ``Value`` through Foundation, keeping integers as `.int`.
///
/// Temporary: to be replaced by TendValue's own JSON parser when it lands.
enum JSONInput {
    static func parse(_ text: String) -> Value? { parse(Data(text.utf8)) }

    static func parse(_ data: Data) -> Value? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return convert(object)
    }

    static func convert(_ x: Any) -> Value? {
        switch x {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { return .bool(n.boolValue) }
            if type == "d" || type == "f" {
                let d = n.doubleValue
                return .double(d)
            }
            if type == "Q", n.uint64Value > UInt64(Int64.max) { return .double(n.doubleValue) }
            return .int(n.int64Value)
        case let a as [Any]:
            var out: [Value] = []
            for e in a {
                guard let v = convert(e) else { return nil }
                out.append(v)
            }
            return .array(out)
        case let d as [String: Any]:
            // JSONSerialization does not keep key order; sort for stable output.
            var o = Value.Object()
            for k in d.keys.sorted() {
                guard let v = convert(d[k]!) else { return nil }
                o[k] = v
            }
            return .object(o)
        default:
            return nil
        }
    }
}
