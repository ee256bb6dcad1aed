import Foundation
import Testing

/// `tend check` and `tend test` on `examples/corpus`: rules ported from kro's examples, Kyverno's
/// generate and mutate-existing policies and Metacontroller's examples, each with a RuleTest that
/// mirrors the upstream test. Keeps the corpus loading and passing as Tend changes.
struct CorpusCommandsTests {
    func tend(_ args: [String]) throws -> EvalCommandTests.Run { try RuleCommandsTests().tend(args) }

    @Test func theCorpusChecksAndItsTestsPass() throws {
        let check = try tend(["check", "examples/corpus"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("23 rules OK in 20 files"), "\(check.stdout)")
        let test = try tend(["test", "examples/corpus"])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains("68 passed, 0 failed"), "\(test.stdout)")
    }
}
