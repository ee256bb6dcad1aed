#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import Synchronization

/// A short-lived child process run for its output (an exec credential plugin), that can always be
/// stopped.
///
/// Contract:
/// - The child runs in a **process group of its own**, with standard input from `/dev/null`, every
///   signal at its default disposition and none blocked (Tend ignores SIGPIPE; a plugin must not
///   inherit that).
/// - Its stdout and stderr are drained together on a dedicated thread (never Swift's cooperative
///   pool), so a chatty child cannot block on a full pipe. At most ``outputLimit`` bytes of each are
///   kept; the rest is read and dropped.
/// - **Stopping**: when ``timeout`` passes, or when the calling task is cancelled, the whole group
///   gets SIGTERM; whatever is still running ``grace`` later gets SIGKILL. A child that ignores
///   SIGTERM, or leaves a grandchild holding its pipes, cannot keep the caller waiting beyond
///   timeout + grace (+ a moment to collect the exit status).
/// - ``run()`` returns only once the child has exited and been reaped: no process outlives it
///   except one that left the group on purpose.
struct PluginProcess: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var timeout: Duration
    /// Time between SIGTERM and SIGKILL.
    var grace: Duration = .seconds(5)
    var outputLimit = 1 << 20

    /// Why the child was stopped.
    enum Stop: Sendable, Equatable {
        case timeout
        case cancelled
    }

    struct Output: Sendable {
        /// The exit status, when the child exited.
        var exitStatus: Int32?
        /// The signal that ended it, when one did.
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        /// Set when Tend stopped the child (it may still have exited by itself in between).
        var stopped: Stop?
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the child to its end; see the type's contract.
    /// - Throws: ``LaunchError`` when it cannot be started.
    func run() async throws -> Output {
        let cancel = try CancelPipe()
        defer { cancel.close() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try runBlocking(cancel: cancel.readFD) })
                }
                thread.name = "tend-exec-plugin"
                thread.start()
            }
        } onCancel: {
            cancel.fire()
        }
    }

    // MARK: The blocking part, on its own thread

    private func runBlocking(cancel: Int32) throws -> Output {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw LaunchError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard makePipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            throw LaunchError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        let pid: pid_t
        do {
            pid = try spawn(stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])

        var output = Output(stdout: [], stderr: [])
        var open: [Int32: Bool] = [outPipe[0]: true, errPipe[0]: true]
        var exitStatus: Int32?
        var killAt: ContinuousClock.Instant?
        var killed: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        func stop(_ reason: Stop) {
            guard output.stopped == nil, exitStatus == nil || open.values.contains(true) else { return }
            output.stopped = reason
            kill(-pid, SIGTERM)
            killAt = .now + grace
        }
        while true {
            if exitStatus == nil {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid {
                    exitStatus = status
                } else if reaped == -1 && errno == ECHILD {
                    // Reaped by someone else in this process (a SIGCHLD handler waiting for any child):
                    // it is gone; report it as killed if it was, else as a plain exit.
                    exitStatus = killed != nil ? SIGKILL : 0
                }
            }
            let pipesOpen = open.values.contains(true)
            if let exitStatus, !pipesOpen {
                record(exitStatus, into: &output)
                break
            }
            let now = ContinuousClock.now
            if output.stopped == nil, now >= deadline { stop(.timeout) }
            if let at = killAt, killed == nil, now >= at {
                // Kill the group while the child is unreaped (its id cannot be reused) or while
                // someone in the group still holds the pipes.
                kill(-pid, SIGKILL)
                killed = now
            }
            if let killed, now - killed > .seconds(1), exitStatus != nil || now - killed > .seconds(3) {
                // Only a process outside the group can hold the pipes now (one spawned by another
                // thread between our pipe() and FD_CLOEXEC): stop waiting for it. A child not reaped
                // 3 s after SIGKILL is not waited for either.
                for (fd, isOpen) in open where isOpen { close(fd) }
                open = open.mapValues { _ in false }
                continue
            }
            var fds = [pollfd(fd: cancel, events: Int16(POLLIN), revents: 0)]
            for (fd, isOpen) in open where isOpen { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            // Wake for the next deadline, and often enough to notice the exit once the pipes are closed.
            var wait: Duration = pipesOpen ? .milliseconds(500) : .milliseconds(20)
            for t in [output.stopped == nil ? deadline : nil, killed == nil ? killAt : nil].compactMap({ $0 }) {
                wait = min(wait, max(.zero, t - now))
            }
            let ms = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000) + 1
            if poll(&fds, nfds_t(fds.count), ms) < 0, errno != EINTR { break }
            if fds[0].revents != 0 {
                var byte: UInt8 = 0
                _ = read(cancel, &byte, 1)
                stop(.cancelled)
            }
            for entry in fds.dropFirst() where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    if entry.fd == outPipe[0] {
                        if output.stdout.count < outputLimit { output.stdout += buffer[..<min(n, outputLimit - output.stdout.count)] }
                    } else if output.stderr.count < outputLimit {
                        output.stderr += buffer[..<min(n, outputLimit - output.stderr.count)]
                    }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open[entry.fd] = false
                }
            }
        }
        for (fd, isOpen) in open where isOpen { close(fd) }
        return output
    }

    private func record(_ status: Int32, into output: inout Output) {
        let low = status & 0x7F
        if low == 0 {
            output.exitStatus = (status >> 8) & 0xFF
        } else if low != 0x7F {
            output.signal = low
        }
    }

    /// posix_spawn with a new process group, default signal dispositions, an empty signal mask,
    /// stdin from /dev/null, and stdout/stderr on the given pipe ends.
    private func spawn(stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw LaunchError(description: "\(executable): \(String(cString: strerror(code)))") }
        return pid
    }
}

/// A pipe whose write end wakes the plugin's thread on cancellation; closing is safe against a
/// late `fire()`.
private final class CancelPipe: Sendable {
    let readFD: Int32
    private let writeFD: Int32
    private let closed = Mutex(false)

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard makePipe(&fds, nonBlocking: true) else {
            throw PluginProcess.LaunchError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    func fire() {
        closed.withLock { isClosed in
            guard !isClosed else { return }
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    func close() {
        closed.withLock { isClosed in
            guard !isClosed else { return }
            isClosed = true
            _ = Glibc.close(readFD)
            _ = Glibc.close(writeFD)
        }
    }
}

/// `pipe(2)` with both ends close-on-exec (so no other child inherits them), optionally non-blocking.
private func makePipe(_ fds: inout [Int32], nonBlocking: Bool = false) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}
