import ArgumentParser
import Foundation
import TendRules
import TendValue

/// `tend test`: run rule tests offline.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule tests (kind: RuleTest) without a cluster.",
        discussion: """
            Each test names its rules and a list of steps: objects to apply, patch or delete, then what must \
            hold once the rules have reconciled (objects present, matched on the fields given, and objects \
            absent). Prints pass or fail per step with a diff on failure; exits 1 if any step fails.

            Then prints each rule's coverage: which children, includeWhen/forEach/readyWhen outcomes, \
            phases, transitions and condition statuses the tests never exercised.
            """)

    @Argument(help: "Test files or directories (searched for *.yaml and *.yml holding kind: RuleTest).")
    var paths: [String]

    @Option(help: "Also write the results as JUnit XML to this file.")
    var junit: String?

    @Flag(inversion: .prefixedNo, help: "Print each rule's coverage after the results (on by default).")
    var coverage = true

    @Option(name: .customLong("coverage-min"), help: ArgumentHelp("Exit 1 when a rule's coverage is below this percentage.", valueName: "percent"))
    var coverageMin: Double?

    @Option(name: .customLong("coverage-json"), help: ArgumentHelp("Also write each rule's coverage items as JSON to this file.", valueName: "file"))
    var coverageJSON: String?

    func run() throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                Terminal.writeStderr("error: \(path): no such file or directory\n")
                throw ExitCode(1)
            }
            files += isDirectory.boolValue ? RuleLoader.yamlFiles(under: path) : [path]
        }
        let color = Terminal.useColor(1)
        let green = color ? "\u{1B}[32m" : "", red = color ? "\u{1B}[31m" : "", reset = color ? "\u{1B}[0m" : ""
        var results: [RuleTest.StepResult] = []
        var coverages: [RuleCoverage] = []
        let collectCoverage = coverage || coverageMin != nil || coverageJSON != nil
        var errors = 0
        for file in files {
            let (tests, diagnostics) = RuleTest.load(file: file)
            for d in diagnostics {
                Terminal.writeStderr(d.render(source: try? String(contentsOfFile: d.location.file, encoding: .utf8), color: Terminal.useColor(2)) + "\n")
            }
            errors += diagnostics.filter { $0.severity == .error }.count
            for test in tests {
                let loaded = RuleLoader().load(paths: test.rulePaths)
                if loaded.hasErrors {
                    for d in loaded.diagnostics { Terminal.writeStderr(d.render(source: loaded.sources[d.location.file], color: Terminal.useColor(2)) + "\n") }
                    errors += 1
                    continue
                }
                let run: (results: [RuleTest.StepResult], coverage: [RuleCoverage])
                run = collectCoverage ? test.runWithCoverage(rules: loaded.rules) : (test.run(rules: loaded.rules), [])
                coverages += run.coverage
                for result in run.results {
                    results.append(result)
                    if result.passed {
                        Terminal.writeStdout("\(green)PASS\(reset) \(result.test) / \(result.step)\n")
                    } else {
                        Terminal.writeStdout("\(red)FAIL\(reset) \(result.test) / \(result.step)\n")
                        for f in result.failures { Terminal.writeStdout(f.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n") }
                    }
                }
            }
        }
        let combined = RuleCoverage.combined(coverages)
        if coverage && !combined.isEmpty {
            Terminal.writeStdout("\n" + combined.map { $0.renderText(color: color) }.joined())
        }
        let failed = results.filter { !$0.passed }.count
        Terminal.writeStdout("\n\(results.count - failed) passed, \(failed) failed\n")
        if let junit { try Self.junit(results).write(toFile: junit, atomically: true, encoding: .utf8) }
        if let coverageJSON {
            try JSON.serialize(["rules": .array(combined.map { $0.json() })], options: .prettyPrinted).appending("\n").write(toFile: coverageJSON, atomically: true, encoding: .utf8)
        }
        var belowMinimum = false
        if let coverageMin {
            for rule in combined where rule.percent < coverageMin {
                Terminal.writeStderr("error: coverage of rule \(rule.rule) is \(rule.coveredCount)/\(rule.total) (\(rule.shownPercent)%), below --coverage-min \(Self.shown(coverageMin))%\n")
                belowMinimum = true
            }
        }
        if failed > 0 || errors > 0 || results.isEmpty || belowMinimum {
            if results.isEmpty && errors == 0 { Terminal.writeStderr("error: no rule tests found\n") }
            throw ExitCode(1)
        }
    }

    /// `80` rather than `80.0`.
    static func shown(_ percent: Double) -> String {
        percent == percent.rounded() ? String(Int(percent)) : String(percent)
    }

    static func junit(_ results: [RuleTest.StepResult]) -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var byTest: [(String, [RuleTest.StepResult])] = []
        for r in results {
            if let i = byTest.firstIndex(where: { $0.0 == r.test }) { byTest[i].1.append(r) } else { byTest.append((r.test, [r])) }
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"\(results.count)\" failures=\"\(results.filter { !$0.passed }.count)\">\n"
        for (test, steps) in byTest {
            xml += "  <testsuite name=\"\(escape(test))\" tests=\"\(steps.count)\" failures=\"\(steps.filter { !$0.passed }.count)\">\n"
            for s in steps {
                xml += "    <testcase classname=\"\(escape(test))\" name=\"\(escape(s.step))\" time=\"\(String(format: "%.3f", s.seconds))\""
                if s.passed {
                    xml += "/>\n"
                } else {
                    xml += ">\n      <failure message=\"\(escape(s.failures.first?.split(separator: "\n").first.map(String.init) ?? ""))\">\(escape(s.failures.joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }
}
