import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Testing
import TendKube

/// Exec credential plugins as real processes: they are stopped with SIGTERM, then SIGKILL, on a
/// timeout and on cancellation, and start with default signal dispositions.
@Suite struct ExecPluginTests {
    let dir = TempDir()

    /// A plugin script; `$PIDFILE` receives the shell's pid, which is also its process group.
    func plugin(_ body: String) -> (ExecCredentialPlugin, pidFile: String) {
        let pidFile = dir.path + "/pid-\(UUID().uuidString)"
        let script = dir.write("plugin-\(UUID().uuidString).sh", "echo $$ > \(pidFile)\n\(body)\n")
        // Run through /bin/sh rather than executed: a script just written may be "busy" (ETXTBSY)
        // while a process another test forks at that moment still holds it open for writing.
        var config = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh")
        config.args = [script]
        config.env = [(name: "TEND_TEST", value: "1")]
        return (ExecCredentialPlugin(config: config, server: "https://127.0.0.1:1"), pidFile)
    }

    /// Whether any process of the group `pidFile` names is still running (zombies waiting for
    /// their reaper do not count: they run nothing). Reads /proc.
    func groupAlive(_ pidFile: String) throws -> Bool {
        let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let group = try #require(Int(text))
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "(comm)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int(fields[2]) == group, fields[0] != "Z" { return true }
        }
        return false
    }

    /// Waits until the plugin has written its pid file (it has started), however loaded the machine.
    /// Waits until the plugin has written its pid: `echo $$ > FILE` creates the file before it
    /// writes the number, so the file existing is not enough (a loaded machine showed it empty).
    func started(_ pidFile: String) async {
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
            if Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) != nil { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Far below the 300 s the plugins sleep, with room for a loaded machine: the whole suite runs
    /// in parallel on two cores, and an awaiting task may wait many seconds for a cooperative
    /// thread after the plugin's thread is done.
    static let promptly: Duration = .seconds(60)

    static let credential = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t0ken"}}"#

    @Test func aWellBehavedPluginReturnsItsCredential() async throws {
        let (plugin, _) = plugin("echo '\(Self.credential)'")
        let credential = try await plugin.run()
        #expect(credential.token == "t0ken")
    }

    /// The plugin (and its `sleep`, which inherits the ignored SIGTERM) ignores SIGTERM: after the
    /// timeout and the grace period the whole process group gets SIGKILL.
    @Test func aPluginIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
        var (plugin, pidFile) = plugin("trap '' TERM\nsleep 300\necho '\(Self.credential)'")
        plugin.timeout = .seconds(2)  // time enough to start and write its pid file on a loaded machine
        plugin.grace = .milliseconds(500)
        let start = ContinuousClock.now
        await #expect(throws: KubeConfigError.self) { _ = try await plugin.run() }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < Self.promptly, "the plugin ran \(elapsed)")
        #expect(try !groupAlive(pidFile), "the plugin's process group outlived run()")
    }

    @Test func theTimeoutErrorSaysSo() async throws {
        var (plugin, _) = plugin("sleep 300")
        plugin.timeout = .milliseconds(300)
        await #expect {
            _ = try await plugin.run()
        } throws: { error in
            "\(error)".contains("timed out after")
        }
    }

    /// Cancelling the request's task stops the plugin (SIGTERM, SIGKILL after the grace period)
    /// instead of waiting for its timeout.
    @Test func cancellationStopsThePlugin() async throws {
        var (plugin, pidFile) = plugin("trap '' TERM\nsleep 300")
        plugin.timeout = .seconds(60)
        plugin.grace = .milliseconds(500)
        let run = Task { try await plugin.run() }
        await started(pidFile)
        let start = ContinuousClock.now
        run.cancel()
        await #expect {
            _ = try await run.value
        } throws: { error in
            "\(error)".contains("was cancelled")
        }
        #expect(ContinuousClock.now - start < Self.promptly)
        #expect(try !groupAlive(pidFile))
    }

    /// The same through the credential provider: the request is cancelled, so is the plugin.
    @Test func aCancelledRequestCancelsThePluginRun() async throws {
        let (plugin, pidFile) = plugin("trap '' TERM\nsleep 300")
        var credentials = ClientConfiguration.Credentials()
        credentials.exec = plugin.config
        let provider = CredentialProvider(credentials: credentials, server: "https://127.0.0.1:1") { config, server in
            var p = ExecCredentialPlugin(config: config, server: server)
            p.grace = .milliseconds(500)
            return try await p.run()
        }
        let request = Task { try await provider.current() }
        await started(pidFile)
        let start = ContinuousClock.now
        request.cancel()
        await #expect {
            _ = try await request.value
        } throws: { error in
            (error as? KubeError)?.code == .cancelled
        }
        #expect(ContinuousClock.now - start < Self.promptly)
        #expect(try !groupAlive(pidFile))
    }

    /// tend ignores SIGPIPE; a plugin must not inherit that (nor any other ignored signal).
    @Test func pluginsStartWithDefaultSignalDispositions() async throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let (plugin, _) = plugin("grep SigIgn /proc/self/status >&2\nexit 1")
        await #expect {
            _ = try await plugin.run()
        } throws: { error in
            let text = "\(error)"
            guard let range = text.range(of: "SigIgn:"),
                let mask = UInt64(text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines).prefix(16), radix: 16)
            else { return false }
            return mask & (1 << (UInt64(SIGPIPE) - 1)) == 0
        }
    }
}
