import Foundation
import Testing
import TendMeta
import TendValue
import TendYAML

@testable import TendRules

/// The inventory record's format: one ConfigMap entry per rule and kind, read back exactly.
@Suite struct InventoryRecordTests {
    @Test func keysNameTheRuleThenKindVersionGroup() {
        #expect(InventoryRecord.key(rule: "webapp", kind: "apps/v1/Deployment") == "webapp.Deployment.v1.apps")
        #expect(InventoryRecord.key(rule: "webapp", kind: "v1/ConfigMap") == "webapp.ConfigMap.v1")
        #expect(InventoryRecord.key(rule: "r", kind: "example.com/v1alpha1/WebApp") == "r.WebApp.v1alpha1.example.com")
        #expect(InventoryRecord.key(rule: "r", kind: "ConfigMap") == nil, "a kind without a version is not recorded")
    }

    @Test func aPatchAddsOnlyTheRulesEntriesAndParsesBack() {
        let patch = InventoryRecord.patch(rule: "web", kinds: ["v1/Service", "apps/v1/Deployment"])
        #expect(patch == ["data": ["web.Deployment.v1.apps": "apps/v1/Deployment", "web.Service.v1": "v1/Service"]])
        var configMap = InventoryRecord.configMap(namespace: "tend-system", rule: "web", kinds: ["v1/Service"])
        #expect(configMap["metadata"]?["name"] == "tend-inventory")
        configMap["data"]?["web.Deployment.v1.apps"] = "apps/v1/Deployment"
        configMap["data"]?["fan-out.ConfigMap.v1"] = "v1/ConfigMap"
        #expect(InventoryRecord.parse(configMap) == ["web": ["v1/Service", "apps/v1/Deployment"], "fan-out": ["v1/ConfigMap"]])
    }

    @Test func anEntryWhoseKeyDoesNotMatchItsValueIsSkipped() {
        let configMap: Value = ["data": [
            "web.Deployment.v1.apps": "v1/Secret",  // edited by hand: which is it?
            "noise": "v1/ConfigMap",
            "web.Service.v1": "v1/Service",
        ]]
        #expect(InventoryRecord.parse(configMap) == ["web": ["v1/Service"]])
        #expect(InventoryRecord.parse(["data": .null]) == [:])
    }

    /// docs/rules.md shows a record: it reads back as the entries it says it has.
    @Test func theDocsRecordReadsBack() throws {
        let page = try String(contentsOf: DocsExamplesTests.root.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        let block = try #require(page.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
            .first { $0.contains("name: tend-inventory") }, "docs/rules.md shows no inventory record")
        let configMap = try YAML.parse(block, file: "docs/rules.md").value
        #expect(InventoryRecord.parse(configMap) == [
            "webapp": ["apps/v1/Deployment", "v1/Service"], "namespace-bootstrap": ["v1/ResourceQuota"],
        ])
        #expect(configMap["data"]?.objectValue?.keys.count == 3, "every entry is well formed")
    }
}
