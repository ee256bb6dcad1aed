public import Foundation
import Synchronization

/// What a finished child process printed, and how it ended.
public struct ProcessOutput: Sendable {
    /// The exit status, or the signal number when ``terminatedBySignal``.
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var terminatedBySignal = false

    public init(status: Int32, stdout: String, stderr: String, terminatedBySignal: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.terminatedBySignal = terminatedBySignal
    }
}

/// Runs `executable` to completion and returns what it wrote to standard output and standard error.
///
/// Both pipes are drained at the same time (standard error on a thread of its own): a child that
/// fills one pipe (64 KiB on Linux) while the parent still reads the other cannot deadlock, as it
/// would with a read of stdout to its end followed by a read of stderr. Blocks the calling thread;
/// call it from synchronous tests or a dedicated thread, not from code that must not block.
///
/// - Parameters:
///   - environment: the child's whole environment; nil inherits the test process's.
///   - directory: the working directory; nil inherits it.
public func runProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = FileHandle.nullDevice
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stderr = PipeDrain(err.fileHandleForReading)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.wait()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: errors, as: UTF8.self), terminatedBySignal: process.terminationReason == .uncaughtSignal)
}

/// Reads a pipe to its end on a thread of its own; ``wait()`` returns the bytes.
private final class PipeDrain: Sendable {
    private let data = Mutex<Data?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let bytes = handle.readDataToEndOfFile()
            data.withLock { $0 = bytes }
            done.signal()
        }
        thread.name = "tend-testing-pipe"
        thread.start()
    }

    func wait() -> Data {
        done.wait()
        return data.withLock { $0 ?? Data() }
    }
}
