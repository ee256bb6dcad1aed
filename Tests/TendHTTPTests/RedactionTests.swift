import Testing
@testable import TendHTTP

@Suite struct RedactionTests {
    static let token = "tok-9f8e7d6c5b4a-secret"

    @Test func urlsLoseUserInfoAndSecretQueryValues() {
        #expect(URLRedaction.redact("https://user:pw@h:6443/api?watch=1&token=abc&labelSelector=a%3Db")
            == "https://h:6443/api?watch=1&token=<redacted>&labelSelector=a%3Db")
        #expect(URLRedaction.redact("https://h/p?access_token=x#frag") == "https://h/p?access_token=<redacted>#frag")
        #expect(URLRedaction.redact("http://h/plain") == "http://h/plain")
    }

    @Test func configurationNeverPrintsTokenOrKey() {
        let config = HTTPClient.Configuration(
            clientCertificate: .pem(certificate: Array("CERT".utf8), key: Array("-----BEGIN PRIVATE KEY----- \(Self.token)".utf8)),
            bearerToken: BearerToken(Self.token))
        var dumped = ""
        dump(config, to: &dumped)
        for text in [config.description, String(reflecting: config), "\(config)", dumped,
                     "\(BearerToken(Self.token))", String(reflecting: BearerToken(Self.token))] {
            #expect(!text.contains(Self.token), "leaked in: \(text)")
        }
    }

    @Test func requestDescriptionRedactsAuthorization() {
        var request = HTTPRequest.get("https://u:p@h/x?token=\(Self.token)")
        request.headers["Authorization"] = "Bearer \(Self.token)"
        #expect(!request.description.contains(Self.token))
        #expect(!request.description.contains("u:p@"))
    }

    @Test func transportErrorsCarryNoToken() async throws {
        // Nothing listens on port 9 of loopback: the connect fails, and the error must not echo
        // the token (sent as a header) or the URL's secrets.
        let config = HTTPClient.Configuration(bearerToken: BearerToken(Self.token), connectTimeout: .seconds(5))
        try await HTTPClient.withClient(config) { client in
            let error = await #expect(throws: HTTPError.self) {
                _ = try await client.execute(.get("http://user:\(Self.token)@127.0.0.1:9/x?token=\(Self.token)"))
            }
            let e = try #require(error)
            #expect(e.code == .connectFailed)
            for text in [e.description, String(reflecting: e), e.url, e.message] {
                #expect(!text.contains(Self.token), "leaked in: \(text)")
            }
        }
    }
}
