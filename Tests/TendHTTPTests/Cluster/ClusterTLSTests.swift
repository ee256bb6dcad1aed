import Foundation
import Testing
import TendHTTP

extension ClusterTests {
    @Test func versionOverHTTP2WithVerifiedTLSAndClientCertificate() async throws {
        try await HTTPClient.withClient(cluster.adminConfiguration()) { client in
            let response = try await client.execute(.get(cluster.url("/version"), accept: "application/json"))
            #expect(response.status == 200)
            #expect(response.httpVersion == .http2)
            #expect(try json(response.body)["gitVersion"] as? String == "v1.20.2")
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test func inlinePEMCredentials() async throws {
        let (ca, cert, key) = try cluster.adminPEM()
        let config = HTTPClient.Configuration(certificateAuthority: .pem(ca), clientCertificate: .pem(certificate: cert, key: key))
        try await HTTPClient.withClient(config) { client in
            // /api/v1/namespaces needs an authenticated, authorized user: proves the client cert was used.
            let response = try await client.execute(.get(cluster.url("/api/v1/namespaces")))
            #expect(response.status == 200)
            #expect(response.httpVersion == .http2)
        }
    }

    @Test func serverCertificateFromUnknownCAIsRefused() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-http-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let caPath = dir.appendingPathComponent("ca.crt").path
        try runOpenSSL(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tend-unknown-ca",
                        "-keyout", dir.appendingPathComponent("ca.key").path, "-out", caPath])
        let caBytes = try #require(FileManager.default.contents(atPath: caPath))
        let authorities: [HTTPClient.CertificateAuthority?] = [.file(caPath), .pem(Array(caBytes)), nil]
        for authority in authorities {
            let config = HTTPClient.Configuration(certificateAuthority: authority)
            await HTTPClient.withClient(config) { client in
                let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(cluster.url("/version"))) }
                #expect(error?.code == .tlsFailed(.certificateVerifyFailed),
                        "\(String(describing: authority)): \(String(describing: error))")
            }
        }
        // The explicit opt-out accepts it.
        try await HTTPClient.withClient(HTTPClient.Configuration(insecureSkipTLSVerify: true)) { client in
            let status = try await client.execute(.get(cluster.url("/version"))).status
            #expect(status == 200)
        }
    }

    /// C4 #14: a CA file rotated on disk verifies the next connection of the same client (the
    /// in-cluster `ca.crt` is updated in place; libcurl would otherwise cache the old file for 24 h).
    @Test func caFileRotatedOnDiskVerifiesTheNextConnection() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-http-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let caPath = dir.appendingPathComponent("ca.crt").path
        try runOpenSSL(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tend-old-ca",
                        "-keyout", dir.appendingPathComponent("ca.key").path, "-out", caPath])
        let (clusterCA, _, _) = try cluster.adminPEM()
        try await HTTPClient.withClient(HTTPClient.Configuration(certificateAuthority: .file(caPath))) { client in
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(cluster.url("/version"))) }
            #expect(error?.code == .tlsFailed(.certificateVerifyFailed), "\(String(describing: error))")
            // Rotate: replace the file as a writer of a projected volume does (new file, rename).
            let next = dir.appendingPathComponent("ca.crt.new").path
            #expect(FileManager.default.createFile(atPath: next, contents: Data(clusterCA)))
            #expect(rename(next, caPath) == 0)
            let status = try await client.execute(.get(cluster.url("/version"))).status
            #expect(status == 200, "the new CA verified the new connection")
        }
    }

    @Test func unreadableClientCertificateIsOtherTLSFailure() async throws {
        var config = cluster.adminConfiguration()
        config.clientCertificate = .files(certificate: "/nonexistent/tend.crt", key: "/nonexistent/tend.key")
        await HTTPClient.withClient(config) { client in
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(cluster.url("/version"))) }
            #expect(error?.code == .tlsFailed(.other), "\(String(describing: error))")
        }
    }

    @Test func tlsServerNameOverridesVerifiedName() async throws {
        var config = cluster.adminConfiguration()
        config.tlsServerName = "kubernetes.default.svc"
        try await HTTPClient.withClient(config) { client in
            let response = try await client.execute(.get(cluster.url("/version")))
            #expect(response.status == 200)
        }
        config.tlsServerName = "not-in-the-certificate.invalid"
        await HTTPClient.withClient(config) { client in
            let error = await #expect(throws: HTTPError.self) { _ = try await client.execute(.get(cluster.url("/version"))) }
            #expect(error?.code == .tlsFailed(.certificateVerifyFailed))
        }
    }

    @Test func bearerTokenAcceptedAndWrongTokenIs401Response() async throws {
        let token = try #require(cluster.token, "cluster has no token file")
        let good = HTTPClient.Configuration(certificateAuthority: cluster.certificateAuthority, bearerToken: BearerToken(token))
        try await HTTPClient.withClient(good) { client in
            let response = try await client.execute(.get(cluster.url("/api/v1/namespaces"), accept: "application/json"))
            #expect(response.status == 200)
            #expect(try json(response.body)["kind"] as? String == "NamespaceList")
        }
        let bad = HTTPClient.Configuration(certificateAuthority: cluster.certificateAuthority, bearerToken: BearerToken("wrong-\(token)"))
        try await HTTPClient.withClient(bad) { client in
            let response = try await client.execute(.get(cluster.url("/api/v1/namespaces")))
            #expect(response.status == 401)
            #expect(try json(response.body)["kind"] as? String == "Status")
        }
    }

    private func runOpenSSL(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
    }
}
