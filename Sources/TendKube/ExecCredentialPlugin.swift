public import Foundation
import Synchronization
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
    public var timeout: Duration = .seconds(60)

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

    /// Runs the plugin once.
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
        let process = Process()
        if config.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: config.command)
            process.arguments = config.args
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [config.command] + config.args
        }
        var env = ProcessInfo.processInfo.environment
        for (name, value) in config.env { env[name] = value }
        env["KUBERNETES_EXEC_INFO"] = execInfo()
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let timeout = self.timeout
        let command = config.command
        // Pipes are drained on dedicated threads so a chatty plugin cannot block on a full pipe.
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let stderrBox = DataBox()
                let reader = Thread { stderrBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
                reader.start()
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                killer.cancel()
                let stderr = stderrBox.wait()
                if process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM {
                    continuation.resume(throwing: KubeConfigError("exec plugin \"\(command)\" timed out after \(timeout)"))
                    return
                }
                continuation.resume(returning: (process.terminationStatus, stdout, stderr))
            }
            thread.start()
        }
    }
}

/// Bytes produced on one thread and awaited on another.
private final class DataBox: Sendable {
    private let data = Mutex<Data?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func set(_ value: Data) {
        data.withLock { $0 = value }
        ready.signal()
    }

    func wait() -> Data {
        ready.wait()
        return data.withLock { $0 ?? Data() }
    }
}
