import Foundation
import Testing

/// The layering of docs/architecture.md, checked against the manifest and the sources: the rules
/// compiler and planner, and every module under them, never reach the API client, HTTP, libcurl
/// or the runtime. That is what lets `tend check`, `tend plan` and `tend test` run the code
/// `tend run` runs without a cluster, and the rules library link without libcurl.
///
/// The graph is the root manifest's (`swift package dump-package`: no dependency resolution, no
/// build). Its declared dependencies alone are not enough: every module of a
/// build lands in one directory, so an undeclared `import TendKube` may still compile when the
/// client happens to be built first. The sources' imports are therefore checked as well.
@Suite struct ModuleBoundaryTests {
    /// Modules that must stay network-free, with everything they depend on.
    static let offline = ["TendValue", "TendMeta", "TendYAML", "TendRegex", "TendCEL", "TendOffline", "TendRules"]
    /// What they must never reach: the client, its transport and C library, the runtime and above.
    static let online: Set<String> = ["CCurl", "TendHTTP", "TendKube", "TendRuntime", "TendEngine", "TendTesting", "TendCLI"]

    @Test(arguments: offline) func offlineModulesNeverDependOnTheClientOrTheRuntime(module: String) async throws {
        let graph = try await PackageGraph.root()
        #expect(graph.targets[module] != nil, "\(module) is not a target of the package: update this test with the layering")
        let reached = graph.dependencies(of: module).intersection(Self.online)
        #expect(reached.isEmpty, "\(module) depends on \(reached.sorted()) (directly or through its dependencies): see docs/architecture.md")
    }

    /// The offline API server models the API server, not Tend: it sits below the rules compiler and
    /// planner, which use it, and never reaches them (nor, as above, the client or the runtime).
    @Test func theOfflineAPIServerNeverReachesTheRules() async throws {
        let graph = try await PackageGraph.root()
        #expect(graph.targets["TendOffline"] != nil, "TendOffline is not a target of the package: update this test with the layering")
        let reached = graph.dependencies(of: "TendOffline").intersection(Self.online.union(["TendRules"]))
        #expect(reached.isEmpty, "TendOffline depends on \(reached.sorted()) (directly or through its dependencies): see docs/architecture.md")
        #expect(graph.dependencies(of: "TendRules").contains("TendOffline"), "the planner's offline cluster is TendOffline's")
    }

    /// Each `import` of one of the package's own modules names a declared dependency (direct or
    /// transitive) of the importing target.
    @Test func everyImportOfAPackageModuleIsADeclaredDependency() async throws {
        let graph = try await PackageGraph.root()
        var undeclared: [String] = []
        for (name, target) in graph.targets.sorted(by: { $0.key < $1.key }) {
            let allowed = graph.dependencies(of: name)
            for file in try Self.swiftFiles(in: graph.root.appendingPathComponent(target.path)) {
                for module in try Self.imports(of: file) where graph.targets[module] != nil && module != name && !allowed.contains(module) {
                    undeclared.append("\(file.path.dropFirst(graph.root.path.count + 1)) imports \(module), not a dependency of \(name)")
                }
            }
        }
        #expect(undeclared.isEmpty, "\(undeclared.joined(separator: "\n"))")
    }

    static func swiftFiles(in directory: URL) throws -> [URL] {
        guard let walk = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    /// Module names of the file's import declarations (any access level or attribute; `import struct M.T` too).
    static func imports(of file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            var words = line.split(separator: " ").filter { !$0.hasPrefix("@") && !["public", "package", "internal", "private", "fileprivate"].contains($0) }
            guard words.first == "import", words.count >= 2 else { return nil }
            words.removeFirst()
            if words.count >= 2, ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let", "actor"].contains(words[0]) { words.removeFirst() }
            return words[0].split(separator: ".").first.map(String.init)
        }
    }
}
