import Foundation
import Testing

@testable import TendValue
import TendFuzzing

#if canImport(Glibc)
    import Glibc
#endif

/// Mutation fuzzing of the JSON decoder. Inputs are placed so their last byte is followed by an
/// inaccessible page: any read past the end of the buffer crashes the test instead of passing unseen.
/// Every input is also given to Foundation's JSONSerialization; the two must agree on validity
/// except for the documented strictness differences in ``knownDifference(_:)``.
@Suite struct JSONFuzzTests {
    @Test func mutatedWatchEventsParseOrFailCleanly() {
        let region = GuardedRegion(bytes: 1 << 20)
        var rng = FuzzRNG(seed: Fuzz.seed)
        var disagreements: [String] = []
        let perSeed = Fuzz.iterations(default: 400)
        for seed in JSONFuzzSeeds.all {
            for _ in 0..<perSeed {
                let input = mutate(seed, &rng)
                check(input, region: region, disagreements: &disagreements)
            }
        }
        if let dump = ProcessInfo.processInfo.environment["TEND_FUZZ_DUMP"] {
            FileManager.default.createFile(atPath: dump, contents: Data(disagreements.joined(separator: "\n====\n").utf8))
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }

    @Test func everyTruncationOfAPodEventFails() {
        let region = GuardedRegion(bytes: 1 << 16)
        let pod = Array(JSONFuzzSeeds.podEvent.utf8)
        let step = ProcessInfo.processInfo.environment["TEND_FUZZ_ITERATIONS"] == nil ? 3 : 1
        var disagreements: [String] = []
        for n in stride(from: 0, to: pod.count, by: step) {
            let prefix = Array(pod[..<n])
            let result = check(prefix, region: region, disagreements: &disagreements)
            #expect(result == nil, "a truncation at \(n) parsed")
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }

    @Test(arguments: ["[", "{\"a\":", "[{\"k\":", " [\n"])
    func deepNestingHitsTheDepthLimit(open: String) {
        let deep = Array(String(repeating: open, count: 100_000).utf8)
        let error = #expect(throws: JSONError.self) { try JSON.parse(deep) }
        #expect(error?.message.contains("nesting deeper than \(JSON.maximumDepth) levels") == true, "\(String(describing: error))")
    }

    @Test func nestingUpToTheLimitParses() {
        let atLimit = String(repeating: "[", count: JSON.maximumDepth) + String(repeating: "]", count: JSON.maximumDepth)
        #expect(throws: Never.self) { try JSON.parse(atLimit) }
        #expect(throws: JSONError.self) { try JSON.parse("[" + atLimit + "]") }
    }

    /// Parses `input` from a guarded buffer, checks the error's location or the round trip, and
    /// records a disagreement with Foundation. Returns the parsed value.
    @discardableResult
    func check(_ input: [UInt8], region: GuardedRegion, disagreements: inout [String]) -> Value? {
        var parsed: Value?
        var failure: JSONError?
        do {
            parsed = try region.withBytes(input) { buffer throws(JSONError) in try JSON.parse(bytes: buffer) }
        } catch {
            failure = error
            #expect(error.offset >= 0 && error.offset <= input.count, "offset \(error.offset) outside \(input.count) bytes")
            #expect(
                locationIsInside(input, line: error.line, column: error.column),
                "\(error) outside the input: \(show(input))")
        }
        if let parsed {
            let text = JSON.serialize(parsed)
            #expect((try? JSON.parse(text)).map(normalizedForJSON) == normalizedForJSON(parsed), "round trip changed \(show(input))")
        }
        let reference = (try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])) != nil
        if reference != (parsed != nil), !knownDifference(input, tendError: failure, tendAccepts: parsed != nil) {
            disagreements.append("tend \(parsed != nil ? "accepts" : "rejects"), Foundation \(reference ? "accepts" : "rejects"): \(show(input))" + (ProcessInfo.processInfo.environment["TEND_FUZZ_DUMP"] != nil ? "\nFULL: " + input.map { String($0) }.joined(separator: ",") : ""))
        }
        return parsed
    }

    /// Documented differences, where Foundation is more lenient than RFC 8259 (and Tend, Go's
    /// encoding/json and Python's json): Foundation accepts a trailing comma before `]` or `}`, and
    /// NUL bytes before or after the document; and Tend rejects numbers beyond Double's range (as
    /// Go does) where Foundation accepts some, such as `{"k":1e400,"k":2}`.
    func knownDifference(_ input: [UInt8], tendError: JSONError?, tendAccepts: Bool) -> Bool {
        guard !tendAccepts else { return false }
        if tendError?.message.hasSuffix("is out of range") == true { return true }
        if input.contains(0) { return true }
        var lastSignificant: UInt8 = 0
        for b in input where ![0x20, 0x0A, 0x0D, 0x09].contains(b) {
            if (b == UInt8(ascii: "]") || b == UInt8(ascii: "}")) && lastSignificant == UInt8(ascii: ",") { return true }
            lastSignificant = b
        }
        return false
    }
}

/// Memory whose last usable byte is followed by a page with no access rights.
final class GuardedRegion {
    private let base: UnsafeMutableRawPointer
    private let total: Int
    let capacity: Int

    init(bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        capacity = (bytes + page - 1) / page * page
        total = capacity + page
        base = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        precondition(base != MAP_FAILED)
        precondition(mprotect(base + capacity, page, PROT_NONE) == 0)
    }

    deinit { munmap(base, total) }

    func withBytes<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        precondition(bytes.count <= capacity)
        let start = base + (capacity - bytes.count)
        bytes.withUnsafeBytes { start.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(base), byteCount: bytes.count) }
        return try body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }
}
