import Foundation
import Logging
import Synchronization
import Testing
@testable import TendEngine
import TendMeta
import TendTesting
import TendValue

/// `--log-format json`: one JSON object per line, the fixed fields first, metadata after.
struct JSONLogHandlerTests {
    @Test func aLineIsOneJSONObjectWithTheFixedFieldsThenTheMetadata() throws {
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 1_795_936_801.1234), level: .warning, label: "tend", message: "apply failed: \"quoted\"\nsecond line",
            source: "TendEngine",
            metadata: ["rule": "web", "object": .stringConvertible(ObjectKey(namespace: "ns", name: "a")), "msg": "clash",
                       "causes": .array(["x", .dictionary(["b": "2", "a": "1"])])])
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "one line: \(line)")
        #expect(line.hasPrefix(#"{"ts":"2026-11-29T07:20:01.123Z","level":"warning","logger":"tend","msg":"apply failed: \"quoted\"\nsecond line","source":"TendEngine","#), "\(line)")
        let value = try JSON.parse(String(line.dropLast()))
        #expect(value["object"] == "ns/a")
        #expect(value["meta.msg"] == "clash", "a metadata key never replaces a fixed one")
        #expect(value["causes"] == ["x", ["a": "1", "b": "2"]])
        #expect(value.objectValue?.keys.map { $0 } == ["ts", "level", "logger", "msg", "source", "causes", "meta.msg", "object", "rule"])
    }

    @Test func theHandlerFiltersByLevelAndMergesMetadata() throws {
        let lines = Mutex<[String]>([])
        var handler = JSONLogHandler(label: "tend.test", metadataProvider: .init { ["request": "r1"] }) { line in lines.withLock { $0.append(line) } }
        handler.logLevel = .info
        handler[metadataKey: "rule"] = "web"
        let logger = Logger(label: "tend.test") { _ in handler }
        logger.debug("not written")
        logger.info("reconciled", metadata: ["rule": "other", "object": "ns/a"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let value = try JSON.parse(String(try #require(written.first).dropLast()))
        #expect(value["level"] == "info" && value["logger"] == "tend.test" && value["msg"] == "reconciled")
        #expect(value["rule"] == "other", "call-site metadata wins over the handler's")
        #expect(value["request"] == "r1" && value["object"] == "ns/a")
    }
}

/// `tend run --log-format json` end to end: every line the process writes is a JSON object.
@Suite(.enabled(if: LocalCluster.shouldRun))
struct JSONLogProcessTests {
    @Test func tendRunWritesOnlyJSONLinesAndNamesWhatItDid() async throws {
        let f = try await ReloadProcessTests.Fixture.make("jsonlog")
        try ReloadProcessTests.ruleText(f.ns, value: "1").write(toFile: f.dir + "/rules/rule.yaml", atomically: true, encoding: .utf8)
        let tend = try f.start(["--log-format", "json"])
        defer { if tend.process.isRunning { kill(tend.process.processIdentifier, SIGKILL) } }
        try await f.createParent("p1")
        #expect(await ReloadProcessTests.eventually("child created") { await f.value("p1-copy") == "1" })
        #expect(await ReloadProcessTests.eventually("the apply logged") { tend.output.contains(#""msg":"applied child""#) })
        await f.stop(tend)
        let lines = tend.output.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 2, "\(tend.output)")
        for line in lines {
            let value = try? JSON.parse(String(line))
            #expect(value?["ts"]?.stringValue?.hasSuffix("Z") == true && value?["level"] != nil && value?["msg"] != nil, "not a JSON log line: \(line)")
        }
        let applied = lines.compactMap { try? JSON.parse(String($0)) }.first { $0["msg"] == "applied child" }
        #expect(applied?["child"] == .string("ConfigMap.v1 \(f.ns)/p1-copy"), "\(String(describing: applied))")
        await f.cleanUp()
    }
}
