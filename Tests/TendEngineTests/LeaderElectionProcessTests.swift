import Foundation
import Testing
import TendKube
import TendMeta
import TendTesting
import TendValue

/// Two `tend run --leader-elect` processes against the real control plane: only the leader writes,
/// `kill -9` of the leader hands over within the lease duration, SIGTERM exits 0 and releases the lease.
extension EngineClusterTests {
    static var tendBinary: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tend").path, root.appendingPathComponent(".build/debug/tend").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    final class TendProcess: @unchecked Sendable {
        // Confined to the test's task; the log file is written by the child process.
        let process = Process()
        let log: String
        init(binary: String, arguments: [String], kubeconfig: String, log: String) throws {
            self.log = log
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.environment = ["KUBECONFIG": kubeconfig, "HOME": NSTemporaryDirectory(), "NO_COLOR": "1"]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }
        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// What to show when the process ended badly: from the first line of a crash report (the
        /// Swift runtime's or glibc's) on, which names the cause, else the end of the output.
        var failureReport: String {
            let text = output
            let markers = ["*** Program crashed", "Fatal error", "Simultaneous accesses", "CONTINUATION MISUSE", "free(): ", "malloc(): ", "double free", "corrupted"]
            let start = markers.compactMap { text.range(of: $0)?.lowerBound }.min()
            guard let start else { return String(text.suffix(2000)) }
            let lineStart = text[..<start].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
            return String(text[lineStart...].prefix(6000))
        }
    }

    @Test func twoProcessesOneLeaderHandOverOnKillAndCleanShutdown() async throws {
        let cluster = try LocalCluster.require()
        let binary = try #require(Self.tendBinary, "build tend first (swift build)")
        let kubeconfig = try #require(cluster.directory.map { "\($0)/kubeconfig" } ?? ProcessInfo.processInfo.environment["KUBECONFIG"])
        let client = KubeClient(configuration: cluster.configuration)
        let ns = "lead-\(UInt32.random(in: 0...UInt32.max))"
        let namespaces = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "Namespace")!)
        _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        let dir = NSTemporaryDirectory() + "tend-lead-\(ns)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let rule = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: \(ns)}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {greeting: "yes"}}}
              children:
                - id: reply
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${self.metadata.name}-reply"}, data: {message: "hello ${self.data.name}"}}
            """
        try rule.write(toFile: dir + "/rule.yaml", atomically: true, encoding: .utf8)
        let args = ["run", dir + "/rule.yaml", "--namespace", ns, "--leader-elect", "--lease-namespace", ns, "--lease-name", "tend", "-v"]
        let a = try TendProcess(binary: binary, arguments: args, kubeconfig: kubeconfig, log: dir + "/a.log")
        let leases = try await client.resource(GroupVersionKind(apiVersion: "coordination.k8s.io/v1", kind: "Lease")!, namespace: ns)
        var holderA = ""
        await poll(until: "a leader") {
            holderA = (try? await leases.get("tend"))?["spec"]?["holderIdentity"]?.stringValue ?? ""
            return !holderA.isEmpty
        }
        let b = try TendProcess(binary: binary, arguments: args, kubeconfig: kubeconfig, log: dir + "/b.log")
        defer {
            if a.process.isRunning { kill(a.process.processIdentifier, SIGKILL) }
            if b.process.isRunning { kill(b.process.processIdentifier, SIGKILL) }
        }
        try await Task.sleep(for: .seconds(2))
        let configMaps = try await client.resource(GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")!, namespace: ns)
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "alice", "labels": ["greeting": "yes"]], "data": ["name": "Alice"]])
        await poll(until: "the leader replies") { (try? await configMaps.get("alice-reply")) != nil }
        #expect(a.output.contains("became leader"))
        #expect(!b.output.contains("became leader"), "the standby must not lead while the lease is held")
        #expect(!b.output.contains("applied child"), "the standby must not write")

        // kill -9 the leader: the standby takes over within the lease duration (15 s) plus a retry period.
        let killed = ContinuousClock.now
        kill(a.process.processIdentifier, SIGKILL)
        a.process.waitUntilExit()
        await poll(until: "handover", timeout: .seconds(25)) {
            let holder = (try? await leases.get("tend"))?["spec"]?["holderIdentity"]?.stringValue ?? ""
            return !holder.isEmpty && holder != holderA
        }
        let handover = ContinuousClock.now - killed
        #expect(handover < .seconds(20), "handover took \(handover)")
        _ = try await configMaps.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "bob", "labels": ["greeting": "yes"]], "data": ["name": "Bob"]])
        await poll(until: "the new leader replies") { (try? await configMaps.get("bob-reply"))?["data"]?["message"] == "hello Bob" }

        // SIGTERM: in-flight work finishes, the lease is released, exit status 0.
        kill(b.process.processIdentifier, SIGTERM)
        let exited = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(40)
                while b.process.isRunning && Date() < deadline { usleep(50_000) }
                c.resume(returning: !b.process.isRunning)
            }
        }
        #expect(exited, "tend did not exit on SIGTERM")
        if exited {
            #expect(b.process.terminationStatus == 0, "\(b.failureReport)")
        } else {
            kill(b.process.processIdentifier, SIGKILL)  // never leave a process behind
        }
        let released = (try? await leases.get("tend"))?["spec"]?["holderIdentity"]?.stringValue ?? ""
        #expect(released.isEmpty, "the lease was not released on shutdown (holder \(released))")
        _ = try? await namespaces.delete(ns)
        await client.shutdown()
    }
}
