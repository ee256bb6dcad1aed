import Foundation
import TendHTTP
import TendKube
import TendMeta
import TendTesting
import Testing

/// Requests through a proxy, as kubectl sends them: a kubeconfig cluster's `proxy-url`, or
/// `HTTPS_PROXY` unless `NO_PROXY` (or a loopback host) says otherwise. The proxy is
/// ``TendTesting/ConnectProxy`` on loopback: it counts tunnels and sends every one to 127.0.0.1.
@Suite(.enabled(if: KubeTestCluster.shouldRun, "no local cluster configured (TEND_CLUSTER_DIR)"))
struct ProxyClusterTests {
    /// A name the API server's certificate carries and this machine does not resolve: only the
    /// proxy (which sends everything to loopback) can reach it.
    static let serviceHost = "kubernetes.default.svc"

    /// A kubeconfig for the test cluster at `server`, with optional extra cluster lines.
    func kubeconfig(_ dir: TempDir, _ name: String = "config", server: String, extra: String = "") throws -> String {
        let cluster = try KubeTestCluster.require()
        return dir.write(name, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: \(server)
                certificate-authority: \(try cluster.file("ca.crt"))
            \(extra.isEmpty ? "" : "    " + extra)
            users:
            - name: u
              user: {client-certificate: \(try cluster.file("admin.crt")), client-key: \(try cluster.file("admin.key"))}
            contexts:
            - {name: c, context: {cluster: c, user: u}}
            current-context: c
            """)
    }

    /// The cluster's port (its server URL is https://127.0.0.1:PORT).
    func apiPort() throws -> String {
        let server = try KubeTestCluster.require().configuration.server
        return String(try #require(server.split(separator: ":").last))
    }

    func listNamespaces(_ configuration: ClientConfiguration) async throws -> Int {
        try await KubeClient.withClient(configuration) { client async throws(KubeError) in
            try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!).list().items.count
        }
    }

    @Test func kubeconfigProxyURLSendsEveryRequestThroughTheProxy() async throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let dir = TempDir()
        let server = try KubeTestCluster.require().configuration.server
        let file = try kubeconfig(dir, server: server, extra: "proxy-url: \(proxy.url)")
        // proxy-url applies to loopback servers too, and NO_PROXY does not apply to it (as in kubectl).
        let configuration = try KubeConfigLoader(explicitPath: file, environment: ["NO_PROXY": "*"]).load()
        #expect(try await listNamespaces(configuration) > 0)
        #expect(proxy.connections >= 1)
        #expect(proxy.targets.first == "127.0.0.1:\(try apiPort())")
    }

    @Test func httpsProxyFromTheEnvironmentAndNoProxyBypassingIt() async throws {
        let proxy = try ConnectProxy()
        defer { proxy.stop() }
        let dir = TempDir()
        let file = try kubeconfig(dir, server: "https://\(Self.serviceHost):\(try apiPort())")
        // Through the proxy: the host resolves nowhere else.
        let proxied = try KubeConfigLoader(explicitPath: file, environment: ["HTTPS_PROXY": proxy.url]).load()
        #expect(try await listNamespaces(proxied) > 0)
        #expect(proxy.connections >= 1)
        #expect(proxy.targets.allSatisfy { $0 == "\(Self.serviceHost):\(try! apiPort())" }, "\(proxy.targets)")

        // NO_PROXY names the host: the client connects directly (and cannot resolve the name).
        let before = proxy.connections
        let bypassed = try KubeConfigLoader(
            explicitPath: file, environment: ["HTTPS_PROXY": proxy.url, "NO_PROXY": ".svc"]
        ).load()
        await #expect(throws: KubeError.self) { _ = try await listNamespaces(bypassed) }
        #expect(proxy.connections == before, "NO_PROXY must bypass the proxy")

        // Loopback servers are never proxied from the environment (Go's net/http): direct, and it works.
        let loopback = try KubeConfigLoader(
            explicitPath: try kubeconfig(dir, "loopback", server: KubeTestCluster.require().configuration.server),
            environment: ["HTTPS_PROXY": proxy.url]
        ).load()
        #expect(try await listNamespaces(loopback) > 0)
        #expect(proxy.connections == before)
    }
}
