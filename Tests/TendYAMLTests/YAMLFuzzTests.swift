import Foundation
import Testing
import TendValue

@testable import TendYAML
import TendFuzzing

/// Mutation fuzzing of the YAML reader: the shipped rules and examples, mutated, must parse or fail
/// with a ``YAMLError`` located inside the input; what parses must survive a serialize/parse round trip.
@Suite struct YAMLFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let extraSeeds = [
        "base: &b {a: 1, b: [x, 'y', \"z\\u00e9\"]}\nderived:\n  <<: *b\n  c: !!str 3\n  d: |\n    text\n    more\n  e: >-\n    folded\n",
        "- ? complex\n  : value\n- !!binary aGVsbG8=\n- 0x1F\n- 1_000\n- .inf\n- ~\n- 2026-11-29\n---\n... \n",
        "%YAML 1.1\n---\n{\"json\": [1, 2.5, null, true], 'q': \"\\t\\x41\"}\n",
    ]

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        var files: [String] = []
        for directory in ["rules", "examples", "Tests/TendYAMLTests/Fixtures"] {
            let url = root.appendingPathComponent(directory)
            let walker = FileManager.default.enumerator(atPath: url.path)
            while let path = walker?.nextObject() as? String {
                guard path.hasSuffix(".yaml") else { continue }
                files.append(url.appendingPathComponent(path).path)
            }
        }
        var seeds = files.sorted().compactMap { file in
            FileManager.default.contents(atPath: file).map { (URL(fileURLWithPath: file).lastPathComponent, [UInt8]($0)) }
        }
        seeds += extraSeeds.enumerated().map { ("extra-\($0.offset).yaml", Array($0.element.utf8)) }
        return seeds
    }

    @Test func seedsAreFound() {
        #expect(Self.seeds().count >= 10)
    }

    @Test func mutatedYAMLParsesOrFailsCleanly() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        let perSeed = Fuzz.iterations(default: 80)
        for (name, seed) in Self.seeds() {
            for _ in 0..<perSeed {
                check(mutate(seed, &rng), file: name)
            }
        }
    }

    @Test func everyTruncationOfARuleParsesOrFailsCleanly() throws {
        let rule = try #require(Self.seeds().first { $0.name == "rule.yaml" })
        let step = ProcessInfo.processInfo.environment["TEND_FUZZ_ITERATIONS"] == nil ? 11 : 1
        for n in stride(from: 0, to: rule.bytes.count, by: step) {
            check(Array(rule.bytes[..<n]), file: rule.name)
        }
    }

    @Test(arguments: ["[", "{a: ", "- ", "[{a: [", "? "])
    func deepNestingHitsTheDepthLimit(open: String) {
        let deep = Array(String(repeating: open, count: 100_000).utf8)
        let error = #expect(throws: YAMLError.self) { try YAML.parseDocuments(bytes: deep, file: "deep.yaml") }
        // `? ? ...` nests mapping keys, which JSON cannot represent: rejected before the limit.
        #expect([.tooDeep, .syntax, .unsupportedKey].contains(error?.kind), "\(String(describing: error))")
    }

    @Test func deepBlockIndentationHitsTheDepthLimit() {
        let text = (0..<1_000).map { String(repeating: " ", count: $0) + "k:\n" }.joined()
        let error = #expect(throws: YAMLError.self) { try YAML.parseDocuments(text, file: "deep.yaml") }
        #expect(error?.kind == .tooDeep, "\(String(describing: error))")
    }

    func check(_ input: [UInt8], file: String) {
        let documents: [YAMLDocument]
        do {
            documents = try YAML.parseDocuments(bytes: input, file: file)
        } catch {
            let at = error.location
            #expect(at.file == file)
            #expect(locationIsInside(input, line: at.line, column: at.column, crBreaksLines: true), "\(error) outside the input: \(show(input))")
            return
        }
        for document in documents {
            let at = document.location
            #expect(locationIsInside(input, line: at.line, column: at.column, crBreaksLines: true), "document at \(at) outside \(show(input))")
            let text = YAML.serialize(document.value)
            do {
                let back = try YAML.parse(text, file: "round-trip.yaml")
                #expect(back.value == document.value, "round trip changed \(show(input)) into \(text)")
            } catch {
                Issue.record("serialized YAML does not parse: \(error)\n\(text)\nfrom \(show(input))")
            }
        }
    }
}
