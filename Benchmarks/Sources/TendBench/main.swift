import TendValue

// tend-bench: prints one `name=value unit` line per figure, for docs/performance.md.
// Arguments select benchmarks by name; none runs all of them.

let selected = Set(CommandLine.arguments.dropFirst())
func wants(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

if wants("json-decode") { JSONBenchmarks.decodeWatchEvents() }
if wants("json-encode") { JSONBenchmarks.encode() }
if wants("memory") { MemoryBenchmarks.bytesPerObject() }
