import Foundation
import Logging
import Synchronization
import Testing
import TendHTTP
import TendMeta
import TendTesting
import TendValue
@testable import TendKube

/// Collects every log record (trace level and up).
final class CapturedLogs: Sendable {
    let lines = Mutex<[String]>([])
    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }
    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            sink.lines.withLock { $0.append("\(level) \(message) \(metadata ?? [:]) \(self.metadata)") }
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct RedactionTests {
    @Test func credentialsNeverReachLogsOrErrors() async throws {
        let secret = "s3cret-token-value"
        let server = try FakeAPIServer { r, i in
            switch i {
            case 0: .status(401, reason: "Unauthorized")
            case 1: .status(503, reason: "ServiceUnavailable")
            case 2: .reset
            default: .status(403, reason: "Forbidden", message: "forbidden: User cannot get")
            }
        }
        defer { server.stop() }
        var config = ClientConfiguration(server: server.url, source: "test")
        config.credentials.exec = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "fake")
        config.insecureSkipTLSVerify = true
        config.rateLimit = .unlimited
        let logs = CapturedLogs()
        let clock = TestClock()
        let runner: CredentialProvider.PluginRunner = { _, _ in
            var c = ExecCredentialPlugin.Credential()
            c.token = secret
            c.clientCertificatePEM = Array("-----BEGIN CERTIFICATE-----\nCERTBYTES\n".utf8)
            c.clientKeyPEM = Array("-----BEGIN PRIVATE KEY-----\nKEYBYTES\n".utf8)
            return c
        }
        let options = KubeClient.Options(clock: clock.kubeClock, logger: logs.logger, random: { 0 }, pluginRunner: runner)
        var errorText = ""
        await KubeClient.withClient(config, options: options) { client in
            do {
                _ = try await client.resource(
                    APIResource(groupVersion: GroupVersion(group: "", version: "v1"), name: "secrets", kind: "Secret", namespaced: true),
                    namespace: "ns"
                ).get("x")
            } catch {
                errorText = "\(error) \(String(reflecting: error))"
                var dumped = ""
                dump(error, to: &dumped)
                errorText += dumped
            }
            let current = try? await client.credentials.current()
            errorText += "\(String(describing: current)) \(String(reflecting: current))"
        }
        #expect(server.requests.count == 4)
        #expect(server.requests.last?.header("Authorization") == "Bearer \(secret)")
        #expect(errorText.contains("forbidden"))
        let logged = logs.lines.withLock { $0 }.joined(separator: "\n")
        #expect(logged.components(separatedBy: "TLS certificate verification is disabled").count == 2, "warned exactly once")
        for text in [logged, errorText, "\(config)"] {
            #expect(!text.contains(secret))
            #expect(!text.contains("CERTBYTES") && !text.contains("KEYBYTES"))
        }
    }
}
