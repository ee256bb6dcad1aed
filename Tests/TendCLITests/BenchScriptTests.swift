import Foundation
import TendTesting
import Testing

/// scripts/bench (docs/performance.md) takes minutes against a cluster, so CI does not run it; what
/// CI checks is that it parses, documents every job it runs, refuses what it does not know before
/// touching a cluster, and stays out of scripts/test.
struct BenchScriptTests {
    static let root = RuleCommandsTests.root

    func bench(_ arguments: [String]) throws -> ProcessOutput {
        try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["bash", "scripts/bench"] + arguments,
            environment: ["PATH": "/usr/bin:/bin"], directory: Self.root)
    }

    @Test func helpListsEveryJobAndOption() throws {
        let run = try bench(["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        for word in ["baseline", "sync10k", "fanout50", "fanout1000", "sync100k", "relist100k", "--rounds", "--output", "--jobs"] {
            #expect(run.stdout.contains(word), "scripts/bench --help does not mention \(word)")
        }
        // The jobs the help lists are the ones the script accepts.
        let script = try ShippingTests.read("scripts/bench")
        #expect(script.contains("all_jobs=baseline,sync10k,fanout50,fanout1000,sync100k,relist100k\n"))
    }

    @Test(arguments: [["--jobs", "sync1m"], ["--output", "yaml"], ["--rounds", "0"], ["--frobnicate"]])
    func refusesUnknownArgumentsBeforeTouchingACluster(_ arguments: [String]) throws {
        let run = try bench(arguments)
        #expect(run.status == 2, "\(arguments): status \(run.status), \(run.stderr)")
        #expect(run.stderr.hasPrefix("bench: "), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func ciDoesNotRunIt() throws {
        #expect(!(try ShippingTests.read("scripts/test")).contains("scripts/bench"))
    }
}
