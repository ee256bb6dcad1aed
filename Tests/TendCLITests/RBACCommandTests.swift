import Foundation
import Testing
import TendValue
import TendYAML

/// `tend rbac` end to end: JSON is a v1 List, and problems exit 1 with a message. (deploy/rbac.yaml
/// and the overlay's are its committed output: ShippingTests.)
struct RBACCommandTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }

    /// docs/rbac.md shows `tend rbac rules/webapp --leader-elect --lease-namespace tend-system` (in
    /// flow style): the same comment lines and the same objects as the tool prints.
    @Test func theDocsShowWhatTheToolPrints() throws {
        let run = try tend(["rbac", "rules/webapp", "--leader-elect", "--lease-namespace", "tend-system"])
        #expect(run.status == 0, "\(run.stderr)")
        let page = try String(contentsOf: RuleCommandsTests.root.appendingPathComponent("docs/rbac.md"), encoding: .utf8)
        let block = try #require(page.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
            .first { $0.hasPrefix("# RBAC for `tend run`") }, "docs/rbac.md shows no output of tend rbac")
        func comments(_ text: String) -> [String] { text.components(separatedBy: "\n").filter { $0.hasPrefix("#") } }
        #expect(comments(block) == comments(run.stdout))
        let shown = try YAML.parseDocuments(block, file: "docs/rbac.md").map(\.value)
        let printed = try YAML.parseDocuments(run.stdout, file: "stdout").map(\.value)
        #expect(shown == printed)
    }

    @Test func jsonIsAListOfTheSameObjects() throws {
        let run = try tend(["rbac", "rules/webapp", "-o", "json", "--namespace", "shop"])
        #expect(run.status == 0, "\(run.stderr)")
        let list = try JSON.parse(run.stdout)
        #expect(list["kind"] == "List")
        let items = list["items"]?.arrayValue ?? []
        #expect(items.map { $0["kind"]?.stringValue ?? "" } == ["ServiceAccount", "Role", "RoleBinding"])
        #expect(items[1]["metadata"]?["namespace"] == "shop")
        let rules = items[1]["rules"]?.arrayValue ?? []
        #expect(rules.count == 8)
        // The inventory record (in the same namespace here), limited to its one object where RBAC can be.
        #expect(rules.contains { $0["resources"] == ["configmaps"] && $0["verbs"] == ["get", "patch"] && $0["resourceNames"] == ["tend-inventory"] })
    }

    @Test func problemsExitOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-rbac-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: certs}
            spec:
              watch: {apiVersion: cert-manager.io/v1, kind: Certificate}
            """.write(toFile: dir + "/rule.yaml", atomically: true, encoding: .utf8)
        let run = try tend(["rbac", dir + "/rule.yaml"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("error: rule certs: watch: unknown kind Certificate in cert-manager.io/v1"))
        let bad = try tend(["rbac", "rules/webapp", "-o", "xml"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--output must be yaml or json"))
    }
}
