import Foundation
import TendTesting
import Testing

/// A live `tend plan` shows what it lists on a terminal (a pseudo-terminal from `script`), and
/// nothing of the kind when its standard error is a pipe.
@Suite(.enabled(if: LocalCluster.shouldRun, "needs a local cluster (scripts/local-cluster up)"))
struct ProgressLineClusterTests {
    func kubeconfig() throws -> String {
        let cluster = try LocalCluster.require()
        return try #require(cluster.directory.map { $0 + "/kubeconfig" } ?? ProcessInfo.processInfo.environment["KUBECONFIG"])
    }

    @Test func aLivePlanShowsItsListingOnATerminalOnly() throws {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle").path
        let command = "\(exe) plan rules/replicate --kubeconfig \(try kubeconfig()) --timeout 30s"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = RuleCommandsTests.root
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect([0, 2].contains(process.terminationStatus), "\(text)")
        // The plan lists a small cluster in well under a second, so the line may not have come yet;
        // it is always erased at the end on a terminal (the line itself: ProgressLineTests).
        #expect(text.contains("\r\u{1B}[K"), "a progress line rewritten in place and erased: \(text.prefix(400).debugDescription)")
        #expect(text.contains("Plan: "))

        let piped = try RuleCommandsTests().tend(["plan", "rules/replicate", "--kubeconfig", try kubeconfig(), "--timeout", "30s"])
        #expect([0, 2].contains(piped.status), "\(piped.stderr)")
        #expect(!piped.stderr.contains("Listing: "), "no progress line into a pipe")
    }
}
