import TendCEL
import TendValue
import Testing

private let env = CELEnvironment(variables: ["self", "each"])
private let vars: [String: Value] = ["self": testObject, "each": ["name": "eu", "port": 8080]]

/// (template, expected value) — whole-scalar expressions keep their type, interpolation makes strings.
private let templateCases: [(String, Value)] = [
    ("${self.spec.replicas}", Value.int(3)),
    ("${self.spec.ratio}", Value.double(0.5)),
    ("${self.spec.paused}", Value.bool(false)),
    ("${self.metadata.labels}", ["tier": "web", "app": "shop"]),
    ("${self.spec.ports}", [80, 443]),
    ("${self.spec.ports.map(p, p + 1)}", [81, 444]),
    ("${{'app': self.metadata.name, 'n': 1}}", ["app": "web", "n": 1]),
    ("${ self.metadata.name }", "web"),
    ("${1u}", 1),
    ("${b'hi'}", "aGk="),
    ("${timestamp('2024-01-01T00:00:00Z')}", "2024-01-01T00:00:00Z"),
    ("${duration('90s')}", "90s"),
    ("${null}", Value.null),
    ("${type(1)}", "int"),
    ("${self.metadata.name}-svc", "web-svc"),
    ("${self.metadata.name}-${each.name}", "web-eu"),
    ("port-${each.port}", "port-8080"),
    ("ratio=${self.spec.ratio}, paused=${self.spec.paused}", "ratio=0.5, paused=false"),
    ("${'a'}${'b'}", "ab"),
    ("plain text", "plain text"),
    ("", ""),
    ("$${not.an.expression}", "${not.an.expression}"),
    ("cost: $5 and {braces}", "cost: $5 and {braces}"),
    ("literal $${x} and ${each.name}", "literal ${x} and eu"),
    ("${self.metadata.labels['tier']}", "web"),
    ("${'}'}", "}"),
    ("${ {'a': '}'}.a }", "}"),
    ("${[1, 2].map(x, {'v': x})}", [["v": 1], ["v": 2]]),
    ("id-${string(1u + 2u)}", "id-3"),
    ("t=${duration('1.5s')}", "t=1.5s"),
    ("b=${b'hi'}", "b=aGk="),
]

@Test(arguments: templateCases)
func templates(_ text: String, _ expected: Value) throws {
    let t = try CELTemplate(text, environment: env)
    #expect(try t.evaluate(vars) == expected, "\(text)")
}

@Test func templateIsCompiledOnce() throws {
    let t = try CELTemplate("${each.name}-${each.port}", environment: env)
    #expect(!t.isWholeExpression && !t.isLiteral)
    #expect(t.referencedVariables == ["each"])
    for i in 0..<100 {
        #expect(try t.evaluate(["each": ["name": .string("n\(i)"), "port": .int(Int64(i))]]) == .string("n\(i)-\(i)"))
    }
    #expect(try CELTemplate("${self}", environment: env).isWholeExpression)
    #expect(try CELTemplate("$${self}", environment: env).isLiteral)
    #expect(CELTemplate.containsExpression("a ${b}"))
    #expect(!CELTemplate.containsExpression("a $${b}"))
    #expect(!CELTemplate.containsExpression("a $b {c}"))
}

@Test(arguments: [
    ("x-${self.metadata.labels}", "cannot interpolate a 'map'"),
    ("x-${self.spec.ports}", "cannot interpolate a 'list'"),
    ("x-${null}", "cannot interpolate a 'null_type'"),
    ("${self.spec.nope}", "no such key: \"nope\""),
    ("a-${1 / 0}", "division by zero"),
])
func templateEvaluationErrors(_ text: String, _ message: String) throws {
    let t = try CELTemplate(text, environment: env)
    #expect(throws: CELError.self) { try t.evaluate(vars) }
    if case .failure(let d) = t.evaluateLocated(vars) {
        #expect(d.message.contains(message), "\(text): \(d.message)")
    } else {
        Issue.record("expected failure for \(text)")
    }
}

@Test func templateErrorsAreLocated() throws {
    let loc = SourceLocation(file: "rules/web.yaml", line: 7, column: 13)
    do {
        _ = try CELTemplate("${self.metadata.nam}-${slef.x}-${size(1, 2)}", environment: env, location: loc)
        Issue.record("expected compile errors")
    } catch {
        #expect(error.diagnostics.map(\.description) == [
            "rules/web.yaml:7:36: error: undeclared reference to 'slef' (did you mean 'self'?)",
            "rules/web.yaml:7:46: error: wrong number of arguments to 'size': got 2, expected 1",
        ])
    }
    do {
        _ = try CELTemplate("name-${self.metadata.name", environment: env, location: loc)
        Issue.record("expected compile errors")
    } catch {
        #expect(error.diagnostics.map(\.description) == ["rules/web.yaml:7:18: error: unterminated '${' in template (missing '}')"])
    }
    do {
        _ = try CELTemplate("${1 +}", environment: env, location: loc)
        Issue.record("expected compile errors")
    } catch {
        #expect(error.diagnostics.map(\.description) == ["rules/web.yaml:7:18: error: syntax error: unexpected end of expression"])
    }
    let t = try CELTemplate("n-${self.spec.replicas / 0}", environment: env, location: loc)
    if case .failure(let d) = t.evaluateLocated(vars) {
        #expect(d.description == "rules/web.yaml:7:36: error: division by zero")
    } else {
        Issue.record("expected failure")
    }
}
