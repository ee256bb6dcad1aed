import Foundation
import TendKube
import TendMeta
import TendValue

/// `tend-bench write-cost NS N MODE`: what one write of a fan-out child costs the API server, by
/// kind of write, from one client (Tend's, HTTP/2, 2 requests in flight): kube-apiserver's and
/// etcd's CPU seconds over N writes (from /proc; `TEND_BENCH_APISERVER_PID`, `TEND_BENCH_ETCD_PID`).
/// MODE: `create` (POST, the peer's write), `apply` (server-side apply without force, Tend's create),
/// each with Tend's bookkeeping (`-tend`: rule and owner-uid labels, child and applied-hash
/// annotations) or without (`-bare`). Every child has the controller ownerReference the fan-out
/// job gives it.
enum WriteCostBenchmarks {
    static func run(namespace: String, count: Int, mode: String) async throws {
        let client = try ClusterBenchmarks.client()
        let configMaps = try await client.resource(FanoutBenchmarks.configMap, namespace: namespace)
        let apply = mode.hasPrefix("apply")
        let bookkeeping = mode.hasSuffix("-tend")
        let apiserver = pid("TEND_BENCH_APISERVER_PID"), etcd = pid("TEND_BENCH_ETCD_PID")
        let (a0, e0) = (cpuSeconds(apiserver), cpuSeconds(etcd))
        let start = Measure.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<2 {
                group.addTask {
                    for n in stride(from: worker, to: count, by: 2) {
                        let object = child(n, bookkeeping: bookkeeping)
                        if apply {
                            _ = try await configMaps.apply(object, fieldManager: "tend")
                        } else {
                            _ = try await configMaps.create(object, options: WriteOptions(fieldManager: "tend"))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Measure.now() - start
        let (a1, e1) = (cpuSeconds(apiserver), cpuSeconds(etcd))
        print("write-cost mode=\(mode) writes=\(count) seconds=\(String(format: "%.3f", seconds)) apiserver_cpu_seconds=\(String(format: "%.2f", a1 - a0)) etcd_cpu_seconds=\(String(format: "%.2f", e1 - e0))")
        await client.shutdown()
    }

    static func child(_ n: Int, bookkeeping: Bool) -> Value {
        let uid = String(format: "0f0f0f0f-1111-2222-3333-%012d", n)
        var metadata: Value = [
            "name": .string("parent-\(n)-child"), "labels": ["role": "child"],
            "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": .string("parent-\(n)"), "uid": .string(uid), "controller": true, "blockOwnerDeletion": true]],
        ]
        if bookkeeping {
            metadata["labels"]?["tend.dev/rule"] = "fanout"
            metadata["labels"]?["tend.dev/owner-uid"] = .string(uid)
            metadata["annotations"] = ["tend.dev/child": "child", "tend.dev/applied-hash": .string(String(repeating: "3f2a9c0d", count: 8))]
        }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": ["a": .string("value-\(n)"), "b": "two", "c": "three", "d": "four"]]
    }

    private static func pid(_ variable: String) -> Int? { ProcessInfo.processInfo.environment[variable].flatMap { Int($0) } }

    /// utime + stime of a process, in seconds; 0 without one.
    private static func cpuSeconds(_ pid: Int?) -> Double {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
