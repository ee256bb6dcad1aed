import Foundation
import Testing
import TendValue
import TendYAML

@Suite struct PerformanceTests {
    /// About 1 MB of Deployments in one stream. Debug builds are several times slower than release;
    /// the bound only catches pathological regressions (docs/yaml.md has the release-mode number).
    @Test func parsesAMegabyteStream() throws {
        let deployment = try Fixtures.text("deployment.yaml")
        var text = ""
        var count = 0
        while text.utf8.count < 1_000_000 {
            text += deployment.replacingOccurrences(of: "name: web\n  namespace", with: "name: web-\(count)\n  namespace")
            text += "---\n"
            count += 1
        }
        let start = ContinuousClock.now
        let documents = try YAML.parseDocuments(
            text, file: "big.yaml", options: YAMLParseOptions(skipEmptyDocuments: true))
        let elapsed = ContinuousClock.now - start
        #expect(documents.count == count)
        #expect(documents.last?.value["metadata"]?["name"] == .string("web-\(count - 1)"))
        print("parsed \(text.utf8.count) bytes (\(count) documents) in \(elapsed)")
        #expect(elapsed < .seconds(20))

        let serializeStart = ContinuousClock.now
        let output = YAML.serializeDocuments(documents.map(\.value))
        print("serialized \(output.utf8.count) bytes in \(ContinuousClock.now - serializeStart)")
    }
}
