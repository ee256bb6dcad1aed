import Foundation
import Testing
import TendValue

@testable import TendRules
import TendFuzzing

/// Mutation fuzzing of rule loading: the shipped rules and rule tests, mutated and written to a
/// scratch directory, load with diagnostics that point into the file (and render with a caret)
/// instead of crashing.
@Suite struct RuleFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let ruleSpecials: [[UInt8]] = Fuzz.specials + [
        "${", "${self.", "}", "${a +", "$${", ": ", "\n  ", "\n- ", "apiVersion: tend.dev/v1alpha1\nkind: Rule\n",
        "{{", "[[", "matchLabels: {", "selector: ", "when: ", "readyWhen: '", "!!int ", "*unknown", "<<: ",
    ].map { Array($0.utf8) }

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for directory in ["rules", "examples"] {
            let url = root.appendingPathComponent(directory)
            let walker = FileManager.default.enumerator(atPath: url.path)
            var files: [String] = []
            while let path = walker?.nextObject() as? String {
                guard path.hasSuffix(".yaml") else { continue }
                files.append(path)
            }
            for path in files.sorted() {
                guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(path).path) else { continue }
                out.append((path, [UInt8](data)))
            }
        }
        return out
    }

    @Test func mutatedRuleFilesLoadWithLocatedDiagnostics() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tend-rule-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 40)
        let seeds = Self.seeds()
        #expect(seeds.count >= 8)
        for (name, seed) in seeds {
            let file = scratch.appendingPathComponent(name.replacingOccurrences(of: "/", with: "-")).path
            for _ in 0..<perSeed {
                let input = mutate(seed, &rng, specials: Self.ruleSpecials)
                FileManager.default.createFile(atPath: file, contents: Data(input))
                let loaded = RuleLoader().load(paths: [file])
                check(loaded.diagnostics, file: file, input: input)
                if name.hasSuffix(".test.yaml") {
                    check(RuleTest.load(file: file).diagnostics, file: file, input: input)
                }
            }
        }
    }

    /// Regression: an expression in a scalar folded over two lines was located by adding its offset
    /// to the scalar's first column, past the end of the first line (here 11:50 on a 48-column line).
    @Test func diagnosticInAFoldedScalarStaysOnItsLine() throws {
        let text = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: folded}
            spec:
              watch: {apiVersion: v1, kind: ConfigMap}
              children:
                - id: c
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "${self.metadata.name +
                      nosuch}"}

            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tend-folded-\(getpid()).yaml").path
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let diagnostics = RuleLoader().load(paths: [file]).diagnostics
        let undeclared = try #require(diagnostics.first { $0.message.contains("nosuch") }, "\(diagnostics)")
        #expect(undeclared.location.line == 11)
        #expect(undeclared.location.column == text.split(separator: "\n")[10].count + 1, "\(undeclared)")
        check(diagnostics, file: file, input: Array(text.utf8))
    }

    func check(_ diagnostics: [Diagnostic], file: String, input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        for d in diagnostics where d.location.file == file {
            #expect(
                locationIsInside(input, line: d.location.line, column: d.location.column, crBreaksLines: true),
                "\(d) outside the input: \(show(input))")
            _ = d.render(source: text)
        }
    }
}
