import Foundation
import TendTesting
import TendValue

/// The targets of the root package and their target dependencies, from `swift package dump-package`.
struct PackageGraph {
    struct Target {
        /// Relative to the package root.
        var path: String
        /// Target dependencies named in the manifest (products of other packages are left out).
        var dependencies: [String]
    }

    var root: URL
    var targets: [String: Target]

    /// Everything `target` depends on, directly or transitively.
    func dependencies(of target: String) -> Set<String> {
        var seen: Set<String> = []
        var pending = targets[target]?.dependencies ?? []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            pending += targets[next]?.dependencies ?? []
        }
        return seen
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The graph of the package this file belongs to (read once per test run).
    ///
    /// `swift package` runs on a thread of its own: the tests run on Swift's cooperative pool (two
    /// threads on a two-core machine), and blocking it for the seconds the manifest takes to
    /// evaluate would stall the timers of every other test in the process.
    static func root() async throws -> PackageGraph { try await loaded.value.get() }

    private static let loaded = Task {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<PackageGraph, any Error>, Never>) in
            Thread { continuation.resume(returning: Result { try load() }) }.start()
        }
    }

    private static func load() throws -> PackageGraph {
        // A scratch path of its own: `swift test` holds the lock on `.build` while the tests run.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tend-dump-package-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["swift", "package", "--scratch-path", scratch.path, "dump-package"], directory: packageRoot)
        guard output.status == 0 else { throw DumpFailed(message: output.stderr) }
        let manifest = try JSON.parse(output.stdout)
        var targets: [String: Target] = [:]
        for target in manifest["targets"]?.arrayValue ?? [] {
            guard let name = target["name"]?.stringValue else { continue }
            let defaultPath = (target["type"]?.stringValue == "test" ? "Tests/" : "Sources/") + name
            // A dependency is {"byName": [name, condition]} or {"target": [name, condition]}; {"product": ...} is another package's.
            let dependencies = (target["dependencies"]?.arrayValue ?? []).compactMap { dependency in
                (dependency["byName"] ?? dependency["target"])?[0]?.stringValue
            }
            targets[name] = Target(path: target["path"]?.stringValue ?? defaultPath, dependencies: dependencies)
        }
        // byName may name a product of another package: keep only this package's targets.
        let names = Set(targets.keys)
        return PackageGraph(root: packageRoot, targets: targets.mapValues { target in
            var local = target
            local.dependencies = target.dependencies.filter(names.contains)
            return local
        })
    }

    struct DumpFailed: Error, CustomStringConvertible {
        var message: String
        var description: String { "swift package dump-package failed: \(message)" }
    }
}
