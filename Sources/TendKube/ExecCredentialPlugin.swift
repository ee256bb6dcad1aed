public import Foundation
import TendMeta
import TendValue

/// Runs a kubeconfig `exec` credential plugin and reads the `ExecCredential` it prints.
///
/// The plugin gets `KUBERNETES_EXEC_INFO` (an ExecCredential with `spec.interactive: false`), the
/// configured `env` on top of the process environment, and no standard input: Tend never runs a
/// plugin interactively. Its stderr is passed into the error when it fails (trimmed), its stdout is
/// parsed and never logged.
public struct ExecCredentialPlugin: Sendable {
    public static let supportedAPIVersions: Set<String> = [
        "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1",
    ]

    public var config: KubeConfig.ExecConfig
    /// Cluster facts passed when `provideClusterInfo` is set.
    public var server: String
    /// How long the plugin may run; then it is stopped: SIGTERM to its process group, SIGKILL
    /// ``grace`` later.
    public var timeout: Duration = .seconds(60)
    /// Time between SIGTERM and SIGKILL when the plugin is stopped (timeout or cancellation).
    public var grace: Duration = .seconds(5)

    public init(config: KubeConfig.ExecConfig, server: String) {
        self.config = config
        self.server = server
    }

    /// A credential the plugin returned.
    public struct Credential: Sendable, CustomStringConvertible {
        public var token: String?
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        /// When it stops being valid; nil means "until the server rejects it".
        public var expiration: Date?
        public var description: String {
            "ExecCredential(token: \(token == nil ? "no" : "yes"), certificate: \(clientCertificatePEM == nil ? "no" : "yes"), expires: \(expiration.map { "\($0)" } ?? "never"))"
        }
    }

    /// Runs the plugin once, in a process group of its own (see ``PluginProcess``).
    ///
    /// Cancelling the calling task stops the plugin as a timeout does (SIGTERM, then SIGKILL after
    /// ``grace``) and this throws; it returns only once the plugin has exited.
    public func run() async throws(KubeConfigError) -> Credential {
        let output: (status: Int32, stdout: Data, stderr: Data)
        do {
            output = try await launch()
        } catch let error as KubeConfigError {
            throw error
        } catch {
            var message = "cannot run exec plugin \"\(config.command)\": \(error)"
            if let hint = config.installHint { message += "\n\(hint)" }
            throw KubeConfigError(message)
        }
        guard output.status == 0 else {
            let stderr = String(decoding: output.stderr.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeConfigError("exec plugin \"\(config.command)\" exited with status \(output.status)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        return try Self.parse([UInt8](output.stdout), expectedAPIVersion: config.apiVersion, command: config.command)
    }

    /// Parses a plugin's standard output.
    static func parse(_ bytes: [UInt8], expectedAPIVersion: String, command: String) throws(KubeConfigError) -> Credential {
        let value: Value
        do {
            value = try JSON.parse(bytes)
        } catch {
            throw KubeConfigError("exec plugin \"\(command)\" printed invalid JSON (\(error.message) at \(error.line):\(error.column))")
        }
        guard value["kind"]?.stringValue == "ExecCredential" else {
            throw KubeConfigError("exec plugin \"\(command)\" printed an object of kind \(value["kind"]?.stringValue ?? "<none>"), expected ExecCredential")
        }
        if let v = value["apiVersion"]?.stringValue, v != expectedAPIVersion {
            throw KubeConfigError("exec plugin \"\(command)\" returned apiVersion \(v), expected \(expectedAPIVersion)")
        }
        guard let status = value["status"], case .object = status else {
            throw KubeConfigError("exec plugin \"\(command)\" returned no status")
        }
        var credential = Credential()
        credential.token = status["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        credential.clientCertificatePEM = status["clientCertificateData"]?.stringValue.map { Array($0.utf8) }
        credential.clientKeyPEM = status["clientKeyData"]?.stringValue.map { Array($0.utf8) }
        if (credential.clientCertificatePEM == nil) != (credential.clientKeyPEM == nil) {
            throw KubeConfigError("exec plugin \"\(command)\" returned a client certificate without a key, or a key without a certificate")
        }
        guard credential.token != nil || credential.clientCertificatePEM != nil else {
            throw KubeConfigError("exec plugin \"\(command)\" returned neither a token nor a client certificate")
        }
        if let ts = status["expirationTimestamp"]?.stringValue {
            guard let date = RFC3339.parse(ts) else {
                throw KubeConfigError("exec plugin \"\(command)\" returned an invalid expirationTimestamp \"\(ts)\"")
            }
            credential.expiration = date
        }
        return credential
    }

    private func execInfo() -> String {
        var spec: Value = ["interactive": false]
        if config.provideClusterInfo { spec["cluster"] = ["server": .string(server)] }
        return JSON.serialize(["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec])
    }

    private func launch() async throws -> (status: Int32, stdout: Data, stderr: Data) {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in config.env { env[name] = value }
        env["KUBERNETES_EXEC_INFO"] = execInfo()
        let direct = config.command.contains("/")
        var process = PluginProcess(
            executable: direct ? config.command : "/usr/bin/env", arguments: direct ? config.args : [config.command] + config.args,
            environment: env, timeout: timeout)
        process.grace = grace
        let output = try await process.run()
        switch output.stopped {
        case .timeout?:
            throw KubeConfigError("exec plugin \"\(config.command)\" timed out after \(timeout)")
        case .cancelled?:
            throw KubeConfigError("exec plugin \"\(config.command)\" was cancelled")
        case nil:
            break
        }
        let status = output.exitStatus ?? 128 + (output.signal ?? 0)
        return (status, Data(output.stdout), Data(output.stderr))
    }
}
