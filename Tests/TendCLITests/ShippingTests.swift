import Foundation
import TendTesting
import Testing

/// What ships cannot drift from what builds it: deploy/ and the overlay in examples/in-cluster hold
/// exactly what `tend rbac` and `tend crds` print and the shipped rules, the image tag is tend's
/// version, and the Dockerfile installs the one run-time package list and runs tend as
/// scripts/image does (docs/install.md).
struct ShippingTests {
    static let root = RuleCommandsTests.root

    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The shipped rules: `rules/<name>/rule.yaml` for every directory of rules/.
    static func shippedRuleNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("rules").path)
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("rules/\($0)/rule.yaml").path) }
            .sorted()
    }

    @Test(arguments: [
        ("deploy/rbac.yaml", ["rules/"]),
        ("examples/in-cluster/rbac.yaml", ["rules/", "examples/in-cluster/rules/"]),
    ])
    func rbacIsTheCommittedOutput(_ file: String, _ rules: [String]) throws {
        let arguments = ["rbac"] + rules + ["--leader-elect", "--lease-namespace", "tend-system"]
        let run = try tend(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == (try Self.read(file)), "regenerate with: tend \(arguments.joined(separator: " ")) > \(file)")
        #expect(run.stdout.contains("# Regenerate with: tend \(arguments.joined(separator: " "))\n"))
        // The one grant tend rbac leaves out is in deploy/bind-edit.yaml.
        #expect(run.stderr.contains("child editors is a RoleBinding"))
        #expect(try Self.read("deploy/bind-edit.yaml").contains("resourceNames:\n  - edit\n  verbs:\n  - bind\n"))
    }

    @Test func crdsAreTheCommittedOutput() throws {
        let run = try tend(["crds", "rules/"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("kind: CustomResourceDefinition"))
        #expect(run.stdout == (try Self.read("deploy/crds.yaml")), "regenerate with: tend crds rules/ > deploy/crds.yaml")
    }

    @Test func deployHoldsTheShippedRules() throws {
        let names = try Self.shippedRuleNames()
        #expect(names == ["namespace-bootstrap", "replicate", "webapp"])
        let copies = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("deploy/rules").path).sorted()
        #expect(copies == names.map { "\($0).yaml" }, "deploy/rules/ holds one copy per rules/*/rule.yaml")
        let kustomization = try Self.read("deploy/kustomization.yaml")
        for name in names {
            #expect(try Self.read("deploy/rules/\(name).yaml") == Self.read("rules/\(name)/rule.yaml"),
                    "copy rules/\(name)/rule.yaml to deploy/rules/\(name).yaml")
            #expect(kustomization.contains("  - rules/\(name).yaml\n"), "deploy/kustomization.yaml does not generate \(name).yaml into tend-rules")
        }
        // The deployed rules are valid together, and with the overlay's own.
        let check = try tend(["check", "deploy/rules/", "examples/in-cluster/rules/"])
        #expect(check.status == 0, "\(check.stderr)")
        let test = try tend(["test", "examples/in-cluster/rules/"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
    }

    @Test func imageTagIsTheVersion() throws {
        let version = try tend(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for file in ["deploy/kustomization.yaml", "examples/in-cluster/kustomization.yaml"] {
            #expect(try Self.read(file).contains("images:\n- name: tend\n  newTag: \(version)\n"), "\(file): the image tag is not \(version)")
        }
        #expect(try Self.read("deploy/deployment.yaml").contains("        image: tend\n"))
    }

    /// The packages deploy/image/runtime-packages names, without comments.
    static func runtimePackages() throws -> [String] {
        try read("deploy/image/runtime-packages").split(separator: "\n")
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    @Test func dockerfileFollowsTheImageScript() throws {
        let dockerfile = try Self.read("Dockerfile")
        let image = try Self.read("scripts/image")
        let packages = try Self.runtimePackages()
        #expect(packages.contains("libcurl4") && packages.contains("libyaml-0-2") && packages.contains("libpcre2-8-0") && packages.contains("ca-certificates"))
        // Both read the one list: the Dockerfile installs it, scripts/image checks its libraries against it.
        #expect(dockerfile.contains("COPY deploy/image/runtime-packages /tmp/runtime-packages\n"))
        #expect(dockerfile.contains("sed 's/#.*//' /tmp/runtime-packages | xargs env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"))
        #expect(!dockerfile.contains("apt-get install -y --no-install-recommends lib"), "the Dockerfile names packages itself")
        #expect(image.contains("deploy/image/runtime-packages"))
        // The same user, entrypoint and binary path.
        #expect(dockerfile.contains("\nUSER 65532:65532\n") && image.contains("--user 65532:65532"))
        #expect(dockerfile.contains("\nENTRYPOINT [\"/usr/local/bin/tend\"]\n") && image.contains("--entrypoint '[\"/usr/local/bin/tend\"]'"))
        #expect(dockerfile.contains("--uid 65532 --gid 65532") && image.contains("tend:x:65532:65532:"))
        #expect(dockerfile.contains("COPY --from=build /out/tend /usr/local/bin/tend\n"))
        // The same build: scripts/release, with the compiler tend reports, on Debian 12 (bookworm).
        #expect(dockerfile.contains("scripts/install-deps --release && scripts/release --out /out"))
        let compiler = try tend(["version"]).stdout.split(separator: "\n").first { $0.hasPrefix("compiler: swift-") }
        let minor = try #require(compiler).dropFirst("compiler: swift-".count)
        #expect(dockerfile.contains("\nFROM swift:\(minor)-bookworm AS build\n"), "the Dockerfile builds with another Swift than \(minor)")
        #expect(dockerfile.contains("\nFROM debian:bookworm-slim\n"))
        #expect(dockerfile.contains("ARG TEND_COMMIT"))
    }
}
