import Foundation
import TendTesting
import Testing

/// docs/tutorial.md runs as written: its files are taken from the page, its commands run, and the
/// output it shows must be what `tend` prints (the error blocks verbatim, the plan lines it quotes,
/// the exit code it names).
struct TutorialTests {
    static let page: String = (try? String(contentsOf: RuleCommandsTests.root.appendingPathComponent("docs/tutorial.md"), encoding: .utf8)) ?? ""

    /// The fenced block whose first line is `firstLine`, without its fences.
    static func block(startingWith firstLine: String) throws -> String {
        let lines = page.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: firstLine), "docs/tutorial.md has no block starting with \(firstLine)")
        let end = try #require(lines[start...].firstIndex(of: "```"))
        return lines[start..<end].joined(separator: "\n") + "\n"
    }

    /// The first fenced block (of any language) after the line containing `marker`.
    static func output(after marker: String) throws -> String {
        let lines = page.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.contains(marker) }, "no \(marker) in docs/tutorial.md")
        let open = try #require(lines[at...].firstIndex { $0.hasPrefix("```") })
        let close = try #require(lines[(open + 1)...].firstIndex(of: "```"))
        return lines[(open + 1)..<close].joined(separator: "\n") + "\n"
    }

    func tend(_ args: [String], in dir: URL) throws -> EvalCommandTests.Run {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle")
        return EvalCommandTests.Run(try runProcess(exe, args, environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"], directory: dir))
    }

    @Test func theTutorialRunsAsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-tutorial-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hello = try Self.block(startingWith: "# hello.yaml")
        let rule = dir.appendingPathComponent("hello.yaml")

        // 3. Check it; then misspell template.
        try hello.write(to: rule, atomically: true, encoding: .utf8)
        let ok = try tend(["check", "hello.yaml"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        try hello.replacingOccurrences(of: "template:", with: "tempalte:", options: [], range: hello.range(of: "template:")).write(to: rule, atomically: true, encoding: .utf8)
        let misspelled = try tend(["check", "hello.yaml"], in: dir)
        #expect(misspelled.status == 1)
        let shown = try Self.output(after: "Misspell something")
        #expect(misspelled.stderr.contains(shown), "the tutorial shows:\n\(shown)\ntend prints:\n\(misspelled.stderr)")

        // 4. Plan against a state file: the lines the page quotes, and exit code 2.
        try hello.write(to: rule, atomically: true, encoding: .utf8)
        try Self.block(startingWith: "# state.yaml").write(to: dir.appendingPathComponent("state.yaml"), atomically: true, encoding: .utf8)
        let plan = try tend(["plan", "hello.yaml", "--state", "state.yaml"], in: dir)
        #expect(plan.status == 2, "\(plan.stderr)")
        let paragraph = try #require(Self.page.components(separatedBy: "\n\n").first { $0.hasPrefix("It prints `") })
        let quoted = paragraph.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            .filter { $0.hasPrefix("+ ") || $0.hasPrefix("~ ") || $0.hasPrefix("Plan:") }
        #expect(quoted.count == 2, "\(quoted)")
        for q in quoted { #expect(plan.stdout.contains(q), "the tutorial quotes `\(q)`; tend prints:\n\(plan.stdout)") }

        // 5. The schema version, with the two mistakes the page describes.
        let fragment = try Self.output(after: "A rule can define the kind it watches")
        let full = hello.components(separatedBy: "\n").prefix(5).joined(separator: "\n") + "\n" + fragment
        try full.write(to: rule, atomically: true, encoding: .utf8)
        let schemaOK = try tend(["check", "hello.yaml"], in: dir)
        #expect(schemaOK.status == 0, "\(schemaOK.stderr)")
        let broken = full.replacingOccurrences(of: "${self.spec.name}\"}}", with: "${self.spec.nmae}\"}}")
            .replacingOccurrences(of: "${self.spec.nmae}\"}}\n", with: "${self.spec.nmae}\"}}\n      includeWhen: [\"${self.spec.name + 1 != ''}\"]\n")
        try broken.write(to: rule, atomically: true, encoding: .utf8)
        let typed = try tend(["check", "hello.yaml"], in: dir)
        let shownTyped = try Self.output(after: "Misspell `${self.spec.name}` in the template")
        #expect(typed.stderr.contains(shownTyped), "the tutorial shows:\n\(shownTyped)\ntend prints:\n\(typed.stderr)")
    }
}
