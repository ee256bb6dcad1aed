import Foundation
import TendHTTP
import TendKube
import TendTesting

/// The local control plane as the HTTP layer's tests see it: a base URL and the admin's TLS
/// material, taken from TendTesting's ``LocalCluster`` (which finds the cluster and decides
/// whether cluster suites run: skipped without one, failing under `CI=true`).
extension LocalCluster {
    /// The API server's base URL, without a trailing slash.
    var server: String {
        let s = configuration.server
        return s.hasSuffix("/") ? String(s.dropLast()) : s
    }

    func url(_ path: String) -> String { server + path }

    /// The cluster CA as the HTTP client takes it (a file when the kubeconfig names one).
    var certificateAuthority: HTTPClient.CertificateAuthority? {
        switch configuration.certificateAuthority {
        case .file(let path): .file(path)
        case .data(let bytes): .pem(bytes)
        case nil: nil
        }
    }

    /// TLS verified with the cluster CA, the admin's client certificate; no idle timeout.
    func adminConfiguration() -> HTTPClient.Configuration {
        var config = HTTPClient.Configuration(certificateAuthority: certificateAuthority, connectTimeout: .seconds(5))
        switch (configuration.credentials.clientCertificate, configuration.credentials.clientKey) {
        case (.file(let certificate), .file(let key)): config.clientCertificate = .files(certificate: certificate, key: key)
        case (let certificate?, let key?): config.clientCertificate = .pem(certificate: Self.bytes(certificate), key: Self.bytes(key))
        default: break
        }
        config.requestTimeout = .seconds(60)
        return config
    }

    /// PEM bytes of the CA, the admin certificate and its key, for tests of in-memory credentials.
    func adminPEM() throws -> (ca: [UInt8], certificate: [UInt8], key: [UInt8]) {
        guard let ca = configuration.certificateAuthority, let certificate = configuration.credentials.clientCertificate,
            let key = configuration.credentials.clientKey
        else { throw Unavailable(description: "the cluster's kubeconfig has no CA or client certificate") }
        return (Self.bytes(ca), Self.bytes(certificate), Self.bytes(key))
    }

    /// A bearer token the API server accepts: the cluster directory's `token` file, else the kubeconfig's.
    var token: String? { (try? read("token")) ?? configuration.credentials.token }

    private static func bytes(_ source: ClientConfiguration.PEMSource) -> [UInt8] {
        switch source {
        case .data(let bytes): bytes
        case .file(let path): FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        }
    }
}
