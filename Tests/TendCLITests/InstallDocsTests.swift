import Foundation
import TendTesting
import Testing

/// Every command in docs/install.md and in the README's Install section is checked: the `tend`
/// ones run here as written (a redirect into a committed file must reproduce it), and every other
/// one is a command that CI runs (scripts/test and the scripts it calls), a kustomization that
/// ``DeployClusterTests`` applies, or names what deploy/ creates. A command without a check fails
/// the test, so a new one needs one.
struct InstallDocsTests {
    static let root = RuleCommandsTests.root

    enum Check {
        /// Run it (as `tend ...` from the repository root): exit 0.
        case tend
        /// Each (file, text): the file, run by CI, contains the text.
        case runByCI([(String, String)])
        /// `kubectl apply -k DIR`: DeployClusterTests applies DIR.
        case kustomization(String)
        /// deploy/ creates what the command names: each (file, text) is found.
        case names([(String, String)])
        /// `docker build`: the tag is tend's version and the Dockerfile takes the build argument.
        case dockerBuild
        /// `install -m 0755 .build/release/tend ...`: SwiftPM's `.build/<configuration>` link, as the tests' tend.
        case buildProduct
    }

    static let deployment = ("deploy/deployment.yaml", "kind: Deployment\nmetadata:\n  name: tend\n  namespace: tend-system\n")
    static let checks: [String: Check] = [
        "scripts/install-deps": .runByCI([("scripts/test", "\nscripts/install-deps\n")]),
        "scripts/install-deps --image": .runByCI([("scripts/test", "scripts/install-deps --image &&")]),
        "swift build -c release --product tend": .runByCI([("scripts/release", "\nswift build -c release --product tend --static-swift-stdlib\n")]),
        "install -m 0755 .build/release/tend /usr/local/bin/tend": .buildProduct,
        "tend version": .tend,
        "scripts/release": .runByCI([("scripts/test", "&& scripts/release &&")]),
        "cd .build/release-artifacts && sha256sum -c tend.sha256": .runByCI([
            ("scripts/release", "\nout=.build/release-artifacts\n"), ("scripts/image-check", "sha256sum -c tend.sha256"),
        ]),
        "scripts/image": .runByCI([("scripts/test", "&& scripts/image &&")]),
        "scripts/image-check": .runByCI([("scripts/test", "&& scripts/image-check;")]),
        #"docker build -t tend:0.1.0-dev --build-arg TEND_COMMIT="$(git rev-parse HEAD)" ."#: .dockerBuild,
        "kubectl apply -k deploy/": .kustomization("deploy"),
        "kubectl -n tend-system rollout status deployment/tend": .names([deployment]),
        "kubectl -n tend-system get pods,lease": .names([
            deployment, ("deploy/deployment.yaml", "--leader-elect, --lease-namespace, tend-system"),
            ("deploy/rbac.yaml", "kind: Role\nmetadata:\n  name: tend\n  namespace: tend-system\n"),
        ]),
        "kubectl -n tend-system logs deployment/tend": .names([deployment]),
        "tend check rules/ examples/in-cluster/rules/": .tend,
        "tend test examples/in-cluster/rules/": .tend,
        "tend rbac rules/ examples/in-cluster/rules/ --leader-elect --lease-namespace tend-system > examples/in-cluster/rbac.yaml": .tend,
        "kubectl apply -k examples/in-cluster/": .kustomization("examples/in-cluster"),
        "tend --generate-completion-script bash > /etc/bash_completion.d/tend": .tend,
        #"tend --generate-completion-script zsh > "${fpath[1]}/_tend""#: .tend,
        "tend --generate-completion-script fish > ~/.config/fish/completions/tend.fish": .tend,
    ]

    /// The commands of the ```sh blocks in `text`: comments dropped, continued lines joined.
    static func commands(in text: String) -> [String] {
        var out: [String] = [], inBlock = false, pending = ""
        for raw in text.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") { inBlock = line == "```sh"; continue }
            guard inBlock else { continue }
            var command = line
            if let comment = command.range(of: #"(^|\s)#.*$"#, options: .regularExpression) { command.removeSubrange(comment) }
            command = command.trimmingCharacters(in: .whitespaces)
            if command.hasSuffix("\\") { pending += command.dropLast() + " "; continue }
            command = (pending + command).trimmingCharacters(in: .whitespaces)
            pending = ""
            if !command.isEmpty { out.append(command) }
        }
        return out
    }

    static func documentedCommands() throws -> [String] {
        let install = try ShippingTests.read("docs/install.md")
        let readme = try ShippingTests.read("README.md")
        let section = try #require(readme.components(separatedBy: "\n## ").first { $0.hasPrefix("Install\n") }, "README.md has no Install section")
        return commands(in: install) + commands(in: section)
    }

    @Test func everyInstallCommandIsChecked() throws {
        let documented = try Self.documentedCommands()
        #expect(documented.count >= 15, "\(documented)")
        for command in documented {
            guard let check = Self.checks[command] else {
                Issue.record("no check for the documented command `\(command)`: add one to InstallDocsTests.checks")
                continue
            }
            try verify(command, check)
        }
        for command in Self.checks.keys where !documented.contains(command) {
            Issue.record("InstallDocsTests.checks has `\(command)`, which the docs no longer show")
        }
    }

    func verify(_ command: String, _ check: Check) throws {
        switch check {
        case .tend:
            let parts = command.components(separatedBy: " > ")
            let arguments = parts[0].split(separator: " ").dropFirst().map(String.init)
            let run = try RuleCommandsTests().tend(arguments)
            #expect(run.status == 0, "`\(command)`: \(run.stderr)")
            #expect(!run.stdout.isEmpty, "`\(command)` printed nothing")
            if parts.count == 2, FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(parts[1]).path) {
                #expect(run.stdout == (try ShippingTests.read(parts[1])), "`\(command)` does not reproduce \(parts[1])")
            }
        case .runByCI(let fragments):
            for (file, text) in fragments {
                #expect(try ShippingTests.read(file).contains(text), "`\(command)`: \(file) does not run \(text.debugDescription)")
            }
            let test = try ShippingTests.read("scripts/test")
            #expect(test.contains("scripts/release && scripts/image && scripts/image-check"))
        case .kustomization(let directory):
            #expect(DeployClusterTests.directories.contains(directory), "`\(command)`: DeployClusterTests does not apply \(directory)")
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("\(directory)/kustomization.yaml").path))
        case .names(let fragments):
            for (file, text) in fragments {
                #expect(try ShippingTests.read(file).contains(text), "`\(command)`: \(file) does not hold \(text.debugDescription)")
            }
        case .dockerBuild:
            let version = try RuleCommandsTests().tend(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(command.contains(" -t tend:\(version) "), "`\(command)`: the tag is not tend:\(version)")
            #expect(try ShippingTests.read("Dockerfile").contains("\nARG TEND_COMMIT"))
        case .buildProduct:
            let tend = try #require(EvalCommandTests.tend)
            let sibling = Self.root.appendingPathComponent(".build/debug/tend")
            #expect(sibling.resolvingSymlinksInPath().path == tend.resolvingSymlinksInPath().path,
                    ".build/debug/tend is not the tend the tests run, so .build/release/tend is not the release build's")
        }
    }
}
