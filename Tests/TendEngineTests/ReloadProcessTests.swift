import Foundation
import Testing
import TendKube
import TendMeta
import TendTesting
import TendValue

/// `tend run` reloading its rules end to end, as a subprocess against the real control plane: through
/// the file poll with a ConfigMap volume's layout (the content changes by swapping a symlink), and
/// through SIGHUP with the poll disabled.
@Suite(.enabled(if: LocalCluster.shouldRun))
struct ReloadProcessTests {
    typealias TendProcess = EngineClusterTests.TendProcess

    static func ruleText(_ name: String, value: String) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: \(name)}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {reload: "yes"}}}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-copy"}, data: {v: "\(value)"}}
        """
    }

    struct Fixture {
        let client: KubeClient
        let ns: String
        let dir: String
        let kubeconfig: String
        let binary: String
        let configMaps: ResourceClient

        static func make(_ prefix: String) async throws -> Fixture {
            let cluster = try LocalCluster.require()
            let binary = try #require(EngineClusterTests.tendBinary, "build tend first (swift build)")
            let kubeconfig = try #require(cluster.directory.map { "\($0)/kubeconfig" } ?? ProcessInfo.processInfo.environment["KUBECONFIG"])
            let client = KubeClient(configuration: cluster.configuration)
            let ns = "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
            _ = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
                .create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
            let dir = NSTemporaryDirectory() + "tend-\(ns)"
            try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
            let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
            return Fixture(client: client, ns: ns, dir: dir, kubeconfig: kubeconfig, binary: binary, configMaps: configMaps)
        }

        func start(_ arguments: [String]) throws -> TendProcess {
            try TendProcess(binary: binary, arguments: ["run", dir + "/rules", "--namespace", ns, "-v"] + arguments, kubeconfig: kubeconfig, log: dir + "/tend.log")
        }

        func value(_ name: String) async -> String? { (try? await configMaps.get(name))?["data"]?["v"]?.stringValue }

        func createParent(_ name: String) async throws {
            _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": ["reload": "yes"]]])
        }

        /// SIGTERM, then waits (bounded) for exit 0; never leaves the process behind.
        func stop(_ process: TendProcess) async {
            kill(process.process.processIdentifier, SIGTERM)
            let exited = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                DispatchQueue.global().async {
                    let deadline = Date().addingTimeInterval(40)
                    while process.process.isRunning && Date() < deadline { usleep(50_000) }
                    c.resume(returning: !process.process.isRunning)
                }
            }
            #expect(exited, "tend did not exit on SIGTERM")
            if exited { #expect(process.process.terminationStatus == 0, "\(process.failureReport)") } else { kill(process.process.processIdentifier, SIGKILL) }
        }

        func cleanUp() async {
            _ = try? await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!).delete(ns)
            await client.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static func eventually(_ what: String, timeout: Duration = .seconds(90), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for: \(what)")
        return false
    }

    /// The layout kubelet gives a ConfigMap volume: `rule.yaml -> ..data/rule.yaml`, `..data -> ..<version>`;
    /// an update writes a new version directory and renames a new `..data` link over the old one.
    static func publish(_ text: String, version: Int, in rules: String) throws {
        let versionDir = "\(rules)/..v\(version)"
        try FileManager.default.createDirectory(atPath: versionDir, withIntermediateDirectories: true)
        try text.write(toFile: versionDir + "/rule.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: rules + "/..data_tmp", withDestinationPath: "..v\(version)")
        #expect(rename(rules + "/..data_tmp", rules + "/..data") == 0)
        if !FileManager.default.fileExists(atPath: rules + "/rule.yaml") {
            try FileManager.default.createSymbolicLink(atPath: rules + "/rule.yaml", withDestinationPath: "..data/rule.yaml")
        }
    }

    @Test func fileChangesAreReloadedAndBrokenVersionsChangeNothing() async throws {
        let f = try await Fixture.make("reload-poll")
        let name = f.ns
        try Self.publish(Self.ruleText(name, value: "1"), version: 1, in: f.dir + "/rules")
        let tend = try f.start(["--reload-interval", "1s"])
        defer { if tend.process.isRunning { kill(tend.process.processIdentifier, SIGKILL) } }
        try await f.createParent("p1")
        #expect(await Self.eventually("child with v=1") { await f.value("p1-copy") == "1" })

        // A version with an error is refused; the rule keeps running version 1.
        try Self.publish(Self.ruleText(name, value: "${self.metadata.name +}"), version: 2, in: f.dir + "/rules")
        #expect(await Self.eventually("reload failure logged") { tend.output.contains("rule reload failed") })
        #expect(tend.output.contains("\(f.dir)/rules/rule.yaml:"), "the error is located: \(tend.output.suffix(2000))")
        try await f.createParent("p2")
        #expect(await Self.eventually("the running version still applies") { await f.value("p2-copy") == "1" })

        // A valid change is applied to every object.
        try Self.publish(Self.ruleText(name, value: "3"), version: 3, in: f.dir + "/rules")
        #expect(await Self.eventually("children updated to v=3") {
            let p1 = await f.value("p1-copy"), p2 = await f.value("p2-copy")
            return p1 == "3" && p2 == "3"
        })
        #expect(tend.output.contains("rules reloaded"))
        #expect(tend.output.contains("changed=\(name)"), "\(tend.output.suffix(2000))")
        await f.stop(tend)
        await f.cleanUp()
    }

    @Test func sighupReloadsWithThePollDisabled() async throws {
        let f = try await Fixture.make("reload-hup")
        let name = f.ns
        let file = f.dir + "/rules/rule.yaml"
        try Self.ruleText(name, value: "1").write(toFile: file, atomically: true, encoding: .utf8)
        let tend = try f.start(["--reload-interval", "0"])
        defer { if tend.process.isRunning { kill(tend.process.processIdentifier, SIGKILL) } }
        try await f.createParent("p1")
        #expect(await Self.eventually("child with v=1") { await f.value("p1-copy") == "1" })

        try Self.ruleText(name, value: "2").write(toFile: file, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .seconds(4))
        #expect(await f.value("p1-copy") == "1", "--reload-interval 0: no reload without SIGHUP")
        kill(tend.process.processIdentifier, SIGHUP)
        #expect(await Self.eventually("child updated to v=2 after SIGHUP") { await f.value("p1-copy") == "2" })
        #expect(tend.output.contains("SIGHUP"))
        #expect(tend.process.isRunning, "SIGHUP does not end the process")
        await f.stop(tend)
        await f.cleanUp()
    }
}
