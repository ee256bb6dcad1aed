import Foundation
import TendTesting
import TendValue
import Testing

/// What docs/install.md promises: `tend version` (text and JSON, with the commit a release build
/// carries) and shell completion scripts for bash, zsh and fish that know the subcommands.
struct InstallCommandsTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle")
        return EvalCommandTests.Run(try runProcess(exe, args, environment: ["NO_COLOR": "1", "PATH": "/usr/bin:/bin"], directory: RuleCommandsTests.root))
    }

    @Test func versionPrintsItsDetailsAsTextAndJSON() throws {
        let text = try tend(["version"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("version: "))
        let json = try tend(["version", "-o", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let value = try JSON.parse(json.stdout)
        let plain = try tend(["--version"])
        #expect(value["version"]?.stringValue == plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(["debug", "release"].contains(value["buildConfiguration"]?.stringValue ?? ""))
        // A development build does not know its commit; scripts/release stamps it (scripts/image-check verifies).
        #expect(value["commit"]?.stringValue == "unknown")
        #expect(value["platform"]?.stringValue?.hasPrefix("linux/") == true)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheSubcommands(_ shell: String) throws {
        let run = try tend(["--generate-completion-script", shell])
        #expect(run.status == 0, "\(run.stderr)")
        for sub in ["check", "test", "plan", "explain", "run", "crds", "rbac", "eval", "version"] {
            #expect(run.stdout.contains(sub), "\(shell) completion lacks \(sub)")
        }
        #expect(run.stdout.contains("--output") || run.stdout.contains("output"), "\(shell) completion lacks options")
    }
}
