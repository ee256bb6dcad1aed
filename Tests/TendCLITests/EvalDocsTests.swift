import Foundation
import TendTesting
import Testing

/// Docs are code: every `$ tend eval ...` command shown in a console block of README.md or docs/
/// runs, and prints what the page shows (stdout, then stderr) with the exit status the text gives
/// (0 unless it prints `error:`). `--self deploy.json` reads the Deployment below, which has what
/// the page's guard asks for.
struct EvalDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Shown: CustomTestStringConvertible, Sendable {
        var file: String
        var line: Int
        var command: String
        var output: String
        var testDescription: String { "\(file):\(line) \(command)" }
    }

    /// Each `$ tend eval` line of a ```console block, with the lines up to the next `$` or the block's end.
    static func shown() throws -> [Shown] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        var out: [Shown] = []
        for file in ["README.md"] + docs.sorted() {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
            var inConsole = false
            var current: Shown?
            for (i, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("```") {
                    if let c = current { out.append(c) }
                    current = nil
                    inConsole = !inConsole && trimmed == "```console"
                    continue
                }
                guard inConsole else { continue }
                if line.hasPrefix("$ ") {
                    if let c = current { out.append(c) }
                    current = line.hasPrefix("$ tend eval ") ? Shown(file: file, line: i + 1, command: String(line.dropFirst(2)), output: "") : nil
                } else if current != nil {
                    current!.output += (current!.output.isEmpty ? "" : "\n") + line
                }
            }
        }
        return out
    }

    static let deployment = #"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"tier": "web"}}, "spec": {"replicas": 3}}"#

    @Test func theDocsShowEvalCommands() throws {
        #expect(try Self.shown().count >= 4, "the docs' tend eval examples were not found")
    }

    @Test(arguments: try! shown())
    func evalPrintsWhatTheDocsShow(_ shown: Shown) throws {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eval-docs-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.deployment.write(to: dir.appendingPathComponent("deploy.json"), atomically: true, encoding: .utf8)
        let run = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", shown.command],
            environment: ["NO_COLOR": "1", "PATH": exe.deletingLastPathComponent().path + ":/usr/bin:/bin"], directory: dir)
        let printed = [run.stdout, run.stderr].filter { !$0.isEmpty }.joined().trimmingCharacters(in: .newlines)
        #expect(printed == shown.output, "\(shown.file):\(shown.line)")
        #expect((run.status == 0) == !shown.output.contains("error:"), "exit \(run.status)")
    }
}
