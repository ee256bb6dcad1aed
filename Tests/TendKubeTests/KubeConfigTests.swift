import Foundation
import Testing
import TendHTTP
import TendKube

/// A temporary directory removed when the test ends.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tend-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        return file
    }
}

@Suite struct KubeConfigTests {
    static let first = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://127.0.0.1:6443/
            certificate-authority: certs/ca.crt
        - name: shared
          cluster: {server: "https://first.example:443"}
        users:
        - name: dev-user
          user:
            client-certificate: certs/admin.crt
            client-key: /abs/admin.key
        - name: token-user
          user: {token: s3cr3t-token}
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
        - name: tok
          context: {cluster: shared, user: token-user}
        """

    static let second = """
        current-context: other
        clusters:
        - name: shared
          cluster: {server: "https://second.example:443", insecure-skip-tls-verify: true}
        - name: prod
          cluster:
            server: https://prod.example
            certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
        users:
        - name: exec-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ./bin/get-token
              args: [--cluster, prod]
              env: [{name: REGION, value: eu}]
        contexts:
        - name: prod
          context: {cluster: prod, user: exec-user}
        - name: tok
          context: {cluster: prod, user: exec-user}
        """

    @Test func explicitFileResolvesRelativePathsAgainstItsDirectory() throws {
        let dir = TempDir()
        let file = dir.write("kube/config", Self.first)
        let config = try KubeConfigLoader(explicitPath: file, environment: [:]).load()
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.certificateAuthority == .file(dir.path + "/kube/certs/ca.crt"))
        #expect(config.credentials.clientCertificate == .file(dir.path + "/kube/certs/admin.crt"))
        #expect(config.credentials.clientKey == .file("/abs/admin.key"))
        #expect(config.namespace == "team-a")
        #expect(config.source.contains("context \"dev\""))
    }

    @Test func kubeconfigListMergesWithFirstDefinitionWinning() throws {
        let dir = TempDir()
        let a = dir.write("a", Self.first)
        let b = dir.write("b", Self.second)
        let env = ["KUBECONFIG": "\(dir.path)/missing:\(a):\(b)"]
        // current-context comes from the first file that sets it.
        #expect(try KubeConfigLoader(environment: env).load().server == "https://127.0.0.1:6443")
        // "tok" and "shared" are defined in both: the first file's definitions win.
        let tok = try KubeConfigLoader(context: "tok", environment: env).load()
        #expect(tok.server == "https://first.example:443")
        #expect(tok.insecureSkipTLSVerify == false)
        #expect(tok.credentials.token == "s3cr3t-token")
        #expect(tok.namespace == "default")
        // Names only the second file has are still available.
        let prod = try KubeConfigLoader(context: "prod", namespace: "override", environment: env).load()
        #expect(prod.certificateAuthority == .data(Array("-----BEGIN CERTIFICATE-----\n".utf8)))
        #expect(prod.credentials.exec?.command == dir.path + "/bin/get-token")
        #expect(prod.credentials.exec?.args == ["--cluster", "prod"])
        #expect(prod.credentials.exec?.env.first?.value == "eu")
        #expect(prod.namespace == "override")
        // Reversed order: the second file now wins.
        let reversed = try KubeConfigLoader(context: "tok", environment: ["KUBECONFIG": "\(b):\(a)"]).load()
        #expect(reversed.server == "https://prod.example")
    }

    @Test func precedenceFlagThenEnvironmentThenHome() throws {
        let dir = TempDir()
        let flag = dir.write("flag", Self.first)
        let env = dir.write("env", Self.second.replacingOccurrences(of: "current-context: other", with: "current-context: prod"))
        let home = TempDir()
        home.write(".kube/config", Self.first.replacingOccurrences(of: "current-context: dev", with: "current-context: tok"))
        let loaderFlag = KubeConfigLoader(explicitPath: flag, environment: ["KUBECONFIG": env, "HOME": home.path])
        #expect(try loaderFlag.kubeconfigFiles() == [flag])
        let loaderEnv = KubeConfigLoader(environment: ["KUBECONFIG": env, "HOME": home.path])
        #expect(try loaderEnv.load().server == "https://prod.example")
        let loaderHome = KubeConfigLoader(environment: ["HOME": home.path])
        #expect(try loaderHome.load().server == "https://first.example:443")
    }

    @Test func inClusterConfigurationWhenNoKubeconfig() throws {
        let sa = TempDir()
        sa.write("token", "pod-token")
        sa.write("ca.crt", "-----BEGIN CERTIFICATE-----\n")
        sa.write("namespace", "tend-system\n")
        let home = TempDir()
        var loader = KubeConfigLoader(environment: ["HOME": home.path, "KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"])
        loader.serviceAccountDirectory = sa.path
        let config = try loader.load()
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.credentials.tokenFile == sa.path + "/token")
        #expect(config.certificateAuthority == .file(sa.path + "/ca.crt"))
        #expect(config.namespace == "tend-system")
        #expect(config.source == "in-cluster")
    }

    @Test(arguments: [
        ("current-context: nope\n" + "contexts: []", "no context named \"nope\""),
        ("contexts: [{name: a, context: {cluster: c}}]", "no current-context is set"),
        ("current-context: a\ncontexts: [{name: a, context: {cluster: c}}]", "no cluster named \"c\""),
        ("current-context: a\nclusters: [{name: c, cluster: {server: ''}}]\ncontexts: [{name: a, context: {cluster: c}}]", "has no server URL"),
        ("users: [{name: u, user: {client-certificate-data: '%%%'}}]", "users[0].user.client-certificate-data: invalid base64"),
        ("clusters: {a: b}", "clusters: expected a list"),
        ("users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]", "unsupported exec plugin apiVersion"),
        ("users: [{name: u, user: {auth-provider: {name: gcp}}}]", "use an exec credential plugin"),
        ("current-context: a\nclusters: [{name: c, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {client-key: k}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]", "needs both a certificate and a key"),
        ("a: [", "kubeconfig"),
        ("clusters: [{name: c, cluster: {server: 'https://x', proxy-url: 'ftp://proxy:21'}}]", "clusters[0].cluster.proxy-url: unsupported proxy scheme \"ftp\""),
    ])
    func errorsNameFileAndField(text: String, message: String) {
        let dir = TempDir()
        let file = dir.write("config", text)
        #expect {
            _ = try KubeConfigLoader(explicitPath: file, environment: [:]).load()
        } throws: { error in
            let d = "\(error)"
            return d.contains(message) && d.contains(file)
        }
    }

    /// kubectl's proxy rules: the cluster's proxy-url wins; otherwise HTTPS_PROXY/NO_PROXY.
    @Test func proxyFromProxyURLOrTheEnvironment() throws {
        let dir = TempDir()
        let file = dir.write("config", """
            current-context: a
            clusters:
            - {name: c, cluster: {server: 'https://api.example.com:6443', proxy-url: 'socks5://proxy.example.com:1080'}}
            - {name: d, cluster: {server: 'https://api.example.com:6443'}}
            contexts: [{name: a, context: {cluster: c}}, {name: b, context: {cluster: d}}]
            """)
        let environment = ["HTTPS_PROXY": "http://env-proxy:3128", "NO_PROXY": "internal.example.com"]
        let explicit = try KubeConfigLoader(explicitPath: file, environment: environment).load()
        #expect(explicit.proxy == .url("socks5://proxy.example.com:1080"))
        #expect(explicit.proxy.proxy(for: "https://api.example.com:6443/api") == "socks5://proxy.example.com:1080")
        let fromEnvironment = try KubeConfigLoader(explicitPath: file, context: "b", environment: environment).load()
        #expect(fromEnvironment.proxy.proxy(for: "https://api.example.com:6443/api") == "http://env-proxy:3128")
        #expect(fromEnvironment.proxy.proxy(for: "https://internal.example.com/api") == nil)
        let none = try KubeConfigLoader(explicitPath: file, context: "b", environment: [:]).load()
        #expect(none.proxy.proxy(for: "https://api.example.com:6443/api") == nil)
    }

    @Test func missingConfigurationSaysWhatToDo() {
        let home = TempDir()
        #expect {
            _ = try KubeConfigLoader(environment: ["HOME": home.path]).load()
        } throws: { "\($0)".contains("no configuration found") }
        #expect {
            _ = try KubeConfigLoader(explicitPath: home.path + "/nope", environment: [:]).load()
        } throws: { "\($0)".contains("file does not exist") }
    }

    @Test func credentialsNeverAppearInDescriptions() throws {
        let dir = TempDir()
        let file = dir.write("config", Self.first)
        let config = try KubeConfigLoader(explicitPath: file, context: "tok", environment: [:]).load()
        var dumped = ""
        dump(config, to: &dumped)
        let printed = "\(config) \(config.credentials) \(String(reflecting: config.credentials)) \(dumped)"
        #expect(!printed.contains("s3cr3t-token"))
        #expect(printed.contains("bearer token"))
    }
}
