import Synchronization
import TendCEL
import TendValue
import Testing

/// A checker that records the paths it is given and rejects any field named `bad`.
private final class Recorder: CELFieldPathChecker {
    let seen = Mutex<[String]>([])

    func problems(in path: CELFieldPath) -> [CELFieldProblem] {
        var text = path.text(upTo: path.segments.count)
        switch path.comparison {
        case let c? where c.literal == .int(3): text += " vs 3@\(c.offset)"
        case let c? where c.literal == .string("v"): text += " vs 'v'@\(c.offset)"
        case _?: text += " vs ?"
        case nil: break
        }
        seen.withLock { $0.append(text) }
        guard let i = path.segments.firstIndex(where: { $0.step == .field("bad") }) else { return [] }
        return [CELFieldProblem("\(path.text(upTo: i)) has no field \"bad\"", at: i, of: path)]
    }
}

private func paths(_ expr: String) -> [String] {
    let recorder = Recorder()
    var env = CELEnvironment(variables: ["self", "other"])
    env.checkFieldPaths(of: "self", with: recorder)
    _ = CELProgram.check(expr, environment: env)
    return recorder.seen.withLock { $0 }
}

@Suite struct FieldPathTests {
    @Test(arguments: [
        ("self.spec.a.b", ["self.spec.a.b"]),
        ("self.spec[\"a\"].items[0].name", ["self.spec[\"a\"].items[0].name"]),
        ("has(self.spec.x) && self.metadata.labels[k] == 'v'", ["self.spec.x", "self.metadata.labels[k] vs 'v'@47"]),
        ("self.spec.replicas > 3", ["self.spec.replicas vs 3@21"]),
        ("self.spec.items.map(i, i.name + self.kind)", ["self.spec.items", "self.kind"]),
        // A comprehension variable named like the checked one shadows it.
        ("self.spec.items.all(self, self.bad)", ["self.spec.items"]),
        ("other.bad + size(self.spec.list[self.spec.i])", ["self.spec.i", "self.spec.list[…]"]),
        ("self.name.startsWith('x') ? self : {}", ["self.name"]),
    ])
    func chainsRootedAtTheCheckedVariableAreHandedToTheChecker(expr: String, expected: [String]) {
        #expect(paths(expr).sorted() == expected.sorted())
    }

    @Test func checkerProblemsAreCompileErrorsWithACaret() {
        var env = CELEnvironment(variables: ["self"])
        env.checkFieldPaths(of: "self", with: Recorder())
        let diags = CELProgram.check("self.spec.bad > 0 || self.bad", environment: env,
                                     location: SourceLocation(file: "<expr>", line: 1, column: 1))
        #expect(diags.map { $0.render(source: "self.spec.bad > 0 || self.bad") } == [
            """
            <expr>:1:11: error: self.spec has no field "bad"
             1 | self.spec.bad > 0 || self.bad
               |           ^~~
            """,
            """
            <expr>:1:27: error: self has no field "bad"
             1 | self.spec.bad > 0 || self.bad
               |                           ^~~
            """,
        ])
    }

    @Test func withoutACheckerNothingChanges() {
        #expect(CELProgram.check("self.spec.bad", environment: CELEnvironment(variables: ["self"])).isEmpty)
    }
}
