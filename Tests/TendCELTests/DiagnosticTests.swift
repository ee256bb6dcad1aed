import TendCEL
import TendValue
import Testing

private func rendered(_ expr: String, _ env: CELEnvironment = CELEnvironment(variables: ["self"])) -> String {
    let diags = CELProgram.check(expr, environment: env, location: SourceLocation(file: "<expr>", line: 1, column: 1))
    return diags.map { $0.render(source: expr) }.joined(separator: "\n")
}

/// Golden tests: the exact rendered output of parse errors, caret under the offending token.
@Test func parseErrorGoldens() {
    #expect(rendered("1 +") == """
        <expr>:1:4: error: syntax error: unexpected end of expression
         1 | 1 +
           |    ^
        """)
    #expect(rendered("self.spec.replicas = 3") == """
        <expr>:1:20: error: syntax error: unexpected '='; did you mean '=='?
         1 | self.spec.replicas = 3
           |                    ^
        """)
    #expect(rendered("(1 + 2") == """
        <expr>:1:7: error: syntax error: expected ')' to close '(', found end of expression
         1 | (1 + 2
           |       ^
        """)
    #expect(rendered("self.metadata.namespace") == "")  // reserved words are fine as field names
    #expect(rendered("'abc' + 'def") == """
        <expr>:1:9: error: syntax error: unterminated string literal
         1 | 'abc' + 'def
           |         ^~~~
        """)
    #expect(rendered("1 2") == """
        <expr>:1:3: error: syntax error: unexpected 2 after the end of the expression
         1 | 1 2
           |   ^
        """)
    #expect(rendered("[1, 2") == """
        <expr>:1:6: error: syntax error: expected ',' or ']' in list, found end of expression
         1 | [1, 2
           |      ^
        """)
    #expect(rendered(#"'\q'"#) == #"""
        <expr>:1:2: error: syntax error: invalid escape sequence '\q'
         1 | '\q'
           |  ^~
        """#)
    #expect(rendered("99999999999999999999") == """
        <expr>:1:1: error: syntax error: integer literal out of range
         1 | 99999999999999999999
           | ^~~~~~~~~~~~~~~~~~~~
        """)
    #expect(rendered("a &| b") == """
        <expr>:1:3: error: syntax error: unexpected '&'; did you mean '&&'?
         1 | a &| b
           |   ^
        """)
}

/// Golden tests: checker errors (unknown names, arity), all collected, located in the file.
@Test func checkerGoldens() {
    #expect(rendered("slef.spec.replicas > 0") == """
        <expr>:1:1: error: undeclared reference to 'slef' (did you mean 'self'?)
         1 | slef.spec.replicas > 0
           | ^~~~
        """)
    #expect(rendered("self.metadata.name.startswith('a') && sise(self) > 1") == """
        <expr>:1:20: error: undeclared reference to function 'startswith' (did you mean 'startsWith'?)
         1 | self.metadata.name.startswith('a') && sise(self) > 1
           |                    ^~~~~~~~~~
        <expr>:1:39: error: undeclared reference to function 'sise' (did you mean 'size'?)
         1 | self.metadata.name.startswith('a') && sise(self) > 1
           |                                       ^~~~
        """)
    #expect(rendered("self.metadata.name.substring(1, 2, 3)") == """
        <expr>:1:20: error: wrong number of arguments to 'substring': got 3, expected 1 or 2
         1 | self.metadata.name.substring(1, 2, 3)
           |                    ^~~~~~~~~
        """)
    #expect(rendered("'a'.matches('[')") == """
        <expr>:1:13: error: invalid regular expression "[": missing terminating ] for character class at offset 1
         1 | 'a'.matches('[')
           |             ^~~
        """)
}

/// Diagnostics located inside a rule file: the base location of the expression's first character.
@Test func locatedInRuleFile() {
    let env = CELEnvironment(variables: ["self", "database", "each"])
    let loc = SourceLocation(file: "rules/web.yaml", line: 12, column: 17)
    let d = CELProgram.check("databse.status.ready && each.nme == ''", environment: env, location: loc)
    #expect(d.count == 1)
    #expect(d.first?.description == "rules/web.yaml:12:17: error: undeclared reference to 'databse' (did you mean 'database'?)")
    let source = String(repeating: "\n", count: 11) + "    readyWhen: \"databse.status.ready && each.nme == ''\""
    #expect(d.first?.render(source: source) == """
        rules/web.yaml:12:17: error: undeclared reference to 'databse' (did you mean 'database'?)
         12 |     readyWhen: "databse.status.ready && each.nme == ''"
            |                 ^~~~~~~
        """)
    // Second line of a multi-line expression keeps its own column.
    let m = CELProgram.check("self.a &&\n  nope", environment: env, location: loc)
    #expect(m.map(\.location) == [SourceLocation(file: "rules/web.yaml", line: 13, column: 3)])
}

@Test(arguments: [
    ("nope", "undeclared reference to 'nope'"),
    ("sefl", "did you mean 'self'"),
    ("self.spec.x.foo()", "undeclared reference to function 'foo'"),
    ("'A'.lower()", "undeclared reference to function 'lower' (did you mean 'lowerAscii'?)"),
    ("'A'.upper()", "undeclared reference to function 'upper' (did you mean 'upperAscii'?)"),
    ("size()", "wrong number of arguments to 'size': got 0, expected 1"),
    ("size(1, 2)", "wrong number of arguments to 'size'"),
    ("'a'.lowerAscii(1)", "wrong number of arguments to 'lowerAscii': got 1, expected 0"),
    ("int(1, 2)", "wrong number of arguments to 'int'"),
    ("lowerAscii('A')", "'lowerAscii' is a method"),
    ("'1'.int()", "'int' is a global function"),
    ("all(x, true)", "wrong number of arguments to 'all'"),
    ("self.items.mapp(x, x)", "did you mean 'map'"),
    ("has(self.a, self.b)", "wrong number of arguments to 'has'"),
    ("self.spec.exist(x, x)", "did you mean 'exists'"),
    ("timestmp('2024-01-01T00:00:00Z')", "did you mean 'timestamp'"),
    ("bind(x, 1, x)", "did you mean 'cel.bind'"),
    ("optional.off(1)", "did you mean 'optional.of'"),
    ("optional.whatever(1)", "optional has: optional.none, optional.of, optional.ofNonZeroValue"),
])
func checkerMessages(_ expr: String, _ message: String) {
    let d = CELProgram.check(expr, environment: CELEnvironment(variables: ["self"]))
    #expect(d.contains { $0.message.contains(message) }, "\(expr): \(d)")
}

/// Every problem is reported, not just the first; `b.c(1)` with `b` undeclared and no method `c`
/// is one unknown (namespaced) function, not an unknown variable and an unknown function.
@Test func collectsAllErrors() {
    let d = CELProgram.check("a + b.c(1) + size(1, 2) + self.x.lowerAscii(2)", environment: CELEnvironment(variables: ["self"]))
    #expect(d.map(\.location.column) == [1, 7, 14, 34])
    #expect(d[1].message == "undeclared reference to function 'b.c'")
}

/// Declared top-level structure: unknown fields are reported with a suggestion.
@Test func declaredFields() {
    var env = CELEnvironment()
    env.declare("self", fields: ["apiVersion", "kind", "metadata", "spec", "status"])
    let d = CELProgram.check("self.spce.replicas > 0 && has(self.sttus.x)", environment: env)
    #expect(d.map(\.message) == ["no field 'spce' in 'self' (did you mean 'spec'?)", "no field 'sttus' in 'self' (did you mean 'status'?)"])
    #expect(CELProgram.check("self.spec.anything.goes", environment: env).isEmpty)
}

/// Run-time errors are located at the failing operation.
@Test func runtimeErrorLocation() throws {
    let p = try CELProgram("self.spec.replicas / self.spec.zero > 1", environment: CELEnvironment(variables: ["self"]),
                           location: SourceLocation(file: "r.yaml", line: 3, column: 10))
    do {
        _ = try p.evaluate(["self": ["spec": ["replicas": 1, "zero": 0]]])
        Issue.record("expected an error")
    } catch {
        #expect(p.diagnostic(for: error).description == "r.yaml:3:29: error: division by zero")
    }
    do {
        _ = try p.evaluate(["self": ["spec": [:]]])
        Issue.record("expected an error")
    } catch {
        #expect(p.diagnostic(for: error).description == "r.yaml:3:20: error: no such key: \"replicas\"")
    }
}
