import Foundation
import TendRuntime
import TendValue

// As `tend` does first thing (its main): the allocator set for a long-lived cache.
AllocatorTuning.apply()

// tend-bench: prints one `name=value unit` line per figure, for docs/performance.md.
// Arguments select benchmarks by name; none runs all of them.

let arguments = Array(CommandLine.arguments.dropFirst())
// Cluster modes: `tend-bench seed NS COUNT`, `tend-bench sync NS` (KUBECONFIG).
// `tend-bench fanout-seed NS N`, `tend-bench fanout NS N`: the peer's fan-out job as a rule.
// `tend-bench write-events DIR`: the decode benchmark's events, for the client-go decode peer.
if arguments.first == "seed", arguments.count == 3, let count = Int(arguments[2]) {
    try await ClusterBenchmarks.seed(namespace: arguments[1], count: count)
    exit(0)
}
/// The value after `--name` in `arguments`, if any.
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: "--\(name)"), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
// `tend-bench sync NS [--page-size N] [--hold SECONDS]`; `tend-bench relist NS [--page-size N] [--cap FACTOR]`.
if arguments.first == "sync", arguments.count >= 2 {
    try await ClusterBenchmarks.sync(namespace: arguments[1], pageSize: option("page-size").flatMap { Int($0) }, hold: option("hold").flatMap { Double($0) } ?? 0)
    exit(0)
}
if arguments.first == "relist", arguments.count >= 2 {
    try await RelistBenchmarks.run(namespace: arguments[1], pageSize: option("page-size").flatMap { Int($0) }, capFactor: option("cap").flatMap { Double($0) })
    exit(0)
}
if arguments.first == "fanout-seed", arguments.count == 3, let count = Int(arguments[2]) {
    try await FanoutBenchmarks.seed(namespace: arguments[1], count: count)
    exit(0)
}
if arguments.first == "fanout", arguments.count >= 3, let count = Int(arguments[2]) {
    try await FanoutBenchmarks.run(namespace: arguments[1], count: count, workers: arguments.count > 3 ? Int(arguments[3]) ?? 2 : 2)
    exit(0)
}
if arguments.first == "write-cost", arguments.count == 4, let count = Int(arguments[2]) {
    try await WriteCostBenchmarks.run(namespace: arguments[1], count: count, mode: arguments[3])
    exit(0)
}
if arguments.first == "write-events", arguments.count == 2 {
    try JSONBenchmarks.writeEvents(to: arguments[1])
    exit(0)
}
let selected = Set(arguments)
func wants(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

if wants("json-decode") { JSONBenchmarks.decodeWatchEvents() }
if wants("json-encode") { JSONBenchmarks.encode() }
if wants("memory") { MemoryBenchmarks.bytesPerObject() }
if wants("cached-object") { CachedObjectBenchmarks.run() }
if let name = arguments.first, arguments.count == 1, name.hasPrefix("memory-") {
    if !MemoryBenchmarks.variant(name) { print("unknown benchmark \(name)") }
}
if wants("cel") { try CELBenchmarks.guardThroughput() }
if wants("workqueue") {
    await WorkQueueBenchmarks.run()
    await WorkQueueBenchmarks.runInstrumented()
}
