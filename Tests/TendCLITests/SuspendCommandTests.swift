import Foundation
import Testing

/// `tend plan` and `tend explain` offline on an object carrying `tend.dev/reconcile: suspended`.
struct SuspendCommandTests {
    /// A state directory with two WebApps, `shop` suspended and `blog` not.
    func stateDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tend-suspend-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
            apiVersion: example.com/v1
            kind: WebApp
            metadata:
              name: shop
              namespace: demo
              labels: {tier: web}
              annotations: {tend.dev/reconcile: suspended}
            spec: {image: "nginx:1.27", replicas: 2, expose: true, hosts: [www]}
            ---
            apiVersion: example.com/v1
            kind: WebApp
            metadata:
              name: blog
              namespace: demo
              labels: {tier: web}
            spec: {image: "nginx:1.27", replicas: 1, expose: false, hosts: []}
            """.write(toFile: dir + "/state.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func planAndExplainShowASuspendedObjectWithNothingPlanned() throws {
        let dir = try stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cli = RuleCommandsTests()
        let plan = try cli.tend(["plan", "rules/webapp", "--state", dir])
        #expect(plan.status == 2, "the unsuspended object has changes: \(plan.stderr)")
        #expect(plan.stdout.contains("rule webapp: WebApp.v1.example.com demo/shop\n  = suspended: tend.dev/reconcile: suspended"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("demo/shop\n  +"), "nothing planned for the suspended object")
        #expect(!plan.stdout.contains("create Deployment.v1.apps demo/shop"))
        #expect(plan.stdout.contains("+ create Deployment.v1.apps demo/blog"), "control: the other object is planned")
        #expect(plan.stdout.hasSuffix(", 1 suspended.\n"), "\(plan.stdout)")

        let json = try cli.tend(["plan", "rules/webapp", "--state", dir, "-o", "json"])
        #expect(json.status == 2)
        let plans = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let items = try #require(plans["plans"] as? [[String: Any]])
        let shop = try #require(items.first { ($0["object"] as? [String: Any])?["name"] as? String == "shop" })
        #expect(shop["suspended"] as? Bool == true)
        #expect((shop["actions"] as? [Any])?.isEmpty == true)
        #expect(shop["status"] == nil)
        #expect((plans["summary"] as? [String: Any])?["suspended"] as? Int == 1)

        let explain = try cli.tend(["explain", "rules/webapp", "WebApp/shop", "-n", "demo", "--state", dir])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("  plan:\n    = suspended: tend.dev/reconcile: suspended"), "\(explain.stdout)")
        #expect(!explain.stdout.contains("+ create"))
        let explainJSON = try cli.tend(["explain", "rules/webapp", "WebApp/shop", "-n", "demo", "--state", dir, "-o", "json"])
        let explained = try #require(try JSONSerialization.jsonObject(with: Data(explainJSON.stdout.utf8)) as? [String: Any])
        let rule = try #require((explained["rules"] as? [[String: Any]])?.first)
        #expect(rule["suspended"] as? Bool == true)
        #expect((rule["plan"] as? [String: Any])?["suspended"] as? Bool == true)
    }
}
