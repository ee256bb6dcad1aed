import Foundation
import Testing

/// `tend` ignores SIGPIPE for the whole process: a write to a pipe or socket whose reader has
/// gone fails with EPIPE instead of killing it (`tend run`'s /metrics, `tend plan | head`).
struct SIGPIPETests {
    @Test func writingToAClosedPipeDoesNotKillTend() throws {
        let exe = try #require(EvalCommandTests.tend, "tend binary not found next to the test bundle")
        let process = Process()
        process.executableURL = exe
        process.arguments = ["eval", "1 + 2"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        // Nobody reads: the first write to stdout gets EPIPE (and, without SIG_IGN, SIGPIPE).
        try out.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "tend was killed by signal \(process.terminationStatus)")
    }
}
