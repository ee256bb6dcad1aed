import Foundation
import Synchronization

/// The credentials of one client, kept current: what each request sends.
///
/// - A static `token` or basic-auth pair is used as is.
/// - A `tokenFile` (in-cluster service-account tokens are rotated by the kubelet) is re-read
///   when the copy in memory is older than ``tokenFileRefreshInterval`` (one minute), and right
///   away after a 401.
/// - An exec plugin runs on first use; its result is cached until its `expirationTimestamp`
///   (no expiry: until the server rejects it). After a 401 the plugin is run again, once per
///   failed request. Concurrent requests share one run, which is cancelled (the plugin stopped:
///   SIGTERM, then SIGKILL) once every request waiting for it is cancelled; a cancelled request
///   throws ``KubeError/Code/cancelled``. Plugins never run interactively (no stdin,
///   `spec.interactive: false`).
/// - If the plugin returns a client certificate, ``Current/clientCertificate`` carries it and
///   the client switches to an HTTP transport presenting it (see ``KubeClient``).
///
/// Nothing here logs or prints a credential: ``Current`` prints as `<redacted>`.
public actor CredentialProvider {
    /// What to send with a request.
    public struct Current: Sendable, CustomStringConvertible, CustomReflectable {
        /// The `Authorization` header value, if any (`Bearer …` or `Basic …`).
        public var authorization: String?
        /// A client certificate from an exec plugin (one from the kubeconfig is part of the
        /// transport configuration instead).
        public var clientCertificate: CertificatePair?
        /// Increases whenever the credential changes.
        public var generation: UInt64

        public var description: String {
            "Credentials(authorization: \(authorization == nil ? "none" : "<redacted>"), certificate: \(clientCertificate == nil ? "none" : "<redacted>"), generation: \(generation))"
        }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }

    /// A PEM client certificate and key; never printed.
    public struct CertificatePair: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        public var certificate: [UInt8]
        public var key: [UInt8]
        public init(certificate: [UInt8], key: [UInt8]) {
            self.certificate = certificate
            self.key = key
        }
        public var description: String { "CertificatePair(<redacted>)" }
        public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
    }

    /// Runs a plugin for a server; throws ``KubeConfigError`` (other errors are wrapped).
    public typealias PluginRunner = @Sendable (KubeConfig.ExecConfig, String) async throws -> ExecCredentialPlugin.Credential

    public nonisolated let credentials: ClientConfiguration.Credentials
    public nonisolated let tokenFileRefreshInterval: Duration
    private let server: String
    private let clock: KubeClock
    private let runPlugin: PluginRunner

    private var generation: UInt64 = 0
    private var fileToken: (token: String, readAt: ContinuousClock.Instant)?
    private var forceFileRead = false
    private var execCredential: ExecCredentialPlugin.Credential?
    private var execRun: SharedPluginRun?
    /// How many times the exec plugin was started (diagnostics and tests).
    public private(set) var pluginRuns = 0

    public init(
        credentials: ClientConfiguration.Credentials, server: String, clock: KubeClock = .system,
        tokenFileRefreshInterval: Duration = .seconds(60), runPlugin: PluginRunner? = nil
    ) {
        self.credentials = credentials
        self.server = server
        self.clock = clock
        self.tokenFileRefreshInterval = tokenFileRefreshInterval
        if let runPlugin {
            self.runPlugin = runPlugin
        } else {
            self.runPlugin = Self.defaultRunner
        }
    }

    private static func defaultRunner(_ config: KubeConfig.ExecConfig, _ server: String) async throws -> ExecCredentialPlugin.Credential {
        try await ExecCredentialPlugin(config: config, server: server).run()
    }

    /// Whether a 401 can be cured by fetching the credential again (exec plugin or token file).
    public nonisolated var isRefreshable: Bool { credentials.exec != nil || (credentials.token == nil && credentials.tokenFile != nil) }

    /// The credential to send now, refreshed if due.
    public func current() async throws(KubeError) -> Current {
        if let exec = credentials.exec {
            let credential = try await execCredential(exec)
            var out = Current(generation: generation)
            if let token = credential.token { out.authorization = "Bearer \(token)" }
            if let cert = credential.clientCertificatePEM, let key = credential.clientKeyPEM {
                out.clientCertificate = CertificatePair(certificate: cert, key: key)
            }
            return out
        }
        if let token = credentials.token {
            return Current(authorization: "Bearer \(token)", generation: generation)
        }
        if let file = credentials.tokenFile {
            return Current(authorization: "Bearer \(try readTokenFile(file))", generation: generation)
        }
        if let basic = credentials.basicAuth {
            let encoded = Data("\(basic.username):\(basic.password)".utf8).base64EncodedString()
            return Current(authorization: "Basic \(encoded)", generation: generation)
        }
        return Current(generation: generation)
    }

    /// Called after a 401 to the credential `used`. Returns whether sending again with
    /// ``current()`` may succeed: true when the credential can be refreshed (the next
    /// ``current()`` re-runs the plugin or re-reads the file) or was already refreshed since.
    public func invalidate(_ used: Current) -> Bool {
        guard isRefreshable else { return false }
        if used.generation != generation { return true }
        if credentials.exec != nil {
            execCredential = nil
        } else {
            forceFileRead = true
        }
        return true
    }

    // MARK: Exec plugin

    private func execCredential(_ exec: KubeConfig.ExecConfig) async throws(KubeError) -> ExecCredentialPlugin.Credential {
        if let cached = execCredential, cached.expiration.map({ clock.wallTime() < $0 }) ?? true {
            return cached
        }
        let run: SharedPluginRun
        if let running = execRun, !running.isCancelled {
            run = running
        } else {
            pluginRuns += 1
            let runPlugin = self.runPlugin
            let server = self.server
            run = SharedPluginRun(Task {
                do {
                    return .success(try await runPlugin(exec, server))
                } catch let error as KubeConfigError {
                    return .failure(error)
                } catch {
                    return .failure(KubeConfigError("exec plugin \"\(exec.command)\" failed: \(error)"))
                }
            })
            execRun = run
        }
        let result = await run.value()
        if execRun === run {
            execRun = nil
            if case .success(let credential) = result {
                execCredential = credential
                generation += 1
            }
        }
        if Task.isCancelled {
            throw KubeError(.cancelled, request: RequestDescription(verb: "authenticate", resource: "exec plugin"), message: "cancelled while the exec plugin ran")
        }
        switch result {
        case .success(let credential): return credential
        case .failure(let error):
            throw KubeError(.credentials, request: RequestDescription(verb: "authenticate", resource: "exec plugin"), message: error.description)
        }
    }

    // MARK: Token file

    private func readTokenFile(_ file: String) throws(KubeError) -> String {
        let now = clock.now()
        if let cached = fileToken, !forceFileRead, now - cached.readAt < tokenFileRefreshInterval {
            return cached.token
        }
        forceFileRead = false
        guard let data = FileManager.default.contents(atPath: file) else {
            // Keep using the last token if the file vanished mid-rotation; fail only without one.
            if let cached = fileToken { return cached.token }
            throw KubeError(.credentials, request: RequestDescription(verb: "authenticate", resource: "token file"),
                            message: "cannot read token file \(file)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if token != fileToken?.token { generation += 1 }
        fileToken = (token, now)
        return token
    }
}

/// One run of an exec plugin shared by the requests waiting for it: cancelled when every one of
/// them has been cancelled, so a plugin runs no longer than someone wants its answer.
final class SharedPluginRun: Sendable {
    private let task: Task<Result<ExecCredentialPlugin.Credential, KubeConfigError>, Never>
    /// (waiting, cancelled) requests.
    private let waiters = Mutex((joined: 0, cancelled: 0))

    init(_ task: Task<Result<ExecCredentialPlugin.Credential, KubeConfigError>, Never>) {
        self.task = task
    }

    /// Whether every waiter left: a new request must start a new run.
    var isCancelled: Bool { task.isCancelled }

    /// The run's result; cancelling the calling task withdraws this waiter (and cancels the run
    /// when it was the last), then still waits for the run to end, which is then prompt.
    func value() async -> Result<ExecCredentialPlugin.Credential, KubeConfigError> {
        waiters.withLock { $0.joined += 1 }
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            let last = waiters.withLock { w -> Bool in
                w.cancelled += 1
                return w.cancelled == w.joined
            }
            if last { task.cancel() }
        }
    }
}
