import TendCEL
import TendValue
import Testing

/// Every case of the evaluation tables (literals, operators, functions, macros).
let allEvaluationCases: [Case] =
    literalsAndSyntaxCases + operatorsCases + stringsCases + listsCases + conversionsCases + timeCases + macrosCases

/// The static type of a JSON value: objects with their fields, lists of their elements' common type.
func staticType(of value: Value) -> CELStaticType {
    switch value {
    case .null: .null
    case .bool: .bool
    case .int: .int
    case .double: .double
    case .string: .string
    case .array(let a):
        .list(a.map(staticType(of:)).reduce(nil as CELStaticType?) { acc, t in acc.map { $0 == t ? t : .dyn } ?? t } ?? .dyn)
    case .object(let o):
        .object(fields: Dictionary(uniqueKeysWithValues: o.map { ($0.key, staticType(of: $0.value)) }), otherFields: nil)
    }
}

/// A type-checking copy of the test environment: variables `dyn`, or typed from their test values.
func typeCheckingEnvironment(typed: Bool) -> CELEnvironment {
    var env = testEnvironment
    env.reportsTypeErrors = true
    if typed {
        for (name, value) in testVariables { env.declare(name, type: staticType(of: value)) }
    }
    return env
}

@Suite struct TypeCheckerTests {
    /// No false positives, and sound inference: an expression that evaluates without error in the
    /// tables is never a type error, with its variables `dyn` or typed from their values, and its
    /// value has the inferred type.
    @Test(arguments: [false, true])
    func evaluationTablesHaveNoTypeErrors(typedVariables: Bool) throws {
        let checking = typeCheckingEnvironment(typed: typedVariables)
        var checked = 0
        for c in allEvaluationCases {
            guard let program = try? CELProgram(c.expr, environment: testEnvironment),
                  let value = try? program.evaluate(testVariables) else { continue }
            checked += 1
            do {
                let typed = try CELProgram(c.expr, environment: checking)
                if let kind = typed.resultType.kind {
                    #expect(value.celType == kind, "\(c.expr): inferred \(typed.resultType), evaluated to \(value.celType)")
                }
            } catch {
                Issue.record("\(c.expr) evaluates to \(value) but is rejected: \(error)")
            }
        }
        #expect(checked > 400)
    }

    /// Typed variables for the cases below.
    static let environment: CELEnvironment = {
        var env = CELEnvironment(variables: ["x"])
        let port = CELStaticType.object(fields: ["port": .int, "name": .string], otherFields: nil)
        let types: [String: CELStaticType] = [
            "s": .string, "i": .int, "u": .uint, "d": .double, "b": .bool, "t": .timestamp, "l": .list(.int),
            "m": .map(key: .string, value: .int),
            "o": .object(fields: ["name": .string, "size": .int, "tags": .list(.string), "ports": .list(port)], otherFields: nil),
        ]
        for (name, type) in types { env.declare(name, type: type) }
        env.reportsTypeErrors = true
        return env
    }()

    @Test(arguments: [
        ("s + 1", 3, "no matching overload for '_+_' applied to (string, int)"),
        ("i > '3'", 3, "no matching overload for '_>_' applied to (int, string)"),
        ("s.startsWith('a') && i.startsWith('a')", 24, "no matching overload for 'startsWith' applied to (int, string)"),
        ("size(i)", 1, "no matching overload for 'size' applied to (int)"),
        ("i ? 1 : 2", 3, "no matching overload for '_?_:_' applied to (int)"),
        ("s.foo", 3, "type 'string' does not support field selection (selecting 'foo')"),
        ("l[0] + 's'", 6, "no matching overload for '_+_' applied to (int, string)"),
        ("m.a + 's'", 5, "no matching overload for '_+_' applied to (int, string)"),
        ("o.size + o.name", 8, "no matching overload for '_+_' applied to (int, string)"),
        ("o.ports.all(p, p.port > 'x')", 23, "no matching overload for '_>_' applied to (int, string)"),
        ("o.ports.map(p, p.port).filter(q, q + 's' == 'x')", 36, "no matching overload for '_+_' applied to (int, string)"),
        ("1 && 'a'", 3, "no matching overload for '_&&_' applied to (int, string)"),
        ("i in s", 3, "no matching overload for '@in' applied to (int, string)"),
        ("t + t", 3, "no matching overload for '_+_' applied to (google.protobuf.Timestamp, google.protobuf.Timestamp)"),
        ("int(b)", 1, "no matching overload for 'int' applied to (bool)"),
        ("string(l)", 1, "no matching overload for 'string' applied to (list)"),
        ("x.substring('a')", 3, "no matching overload for 'substring' applied to (dyn, string)"),
        ("-s", 1, "no matching overload for '-_' applied to (string)"),
        ("!i", 1, "no matching overload for '!_' applied to (int)"),
        ("s[0]", 2, "no matching overload for '_[_]' applied to (string, int)"),
        ("l['a']", 2, "no matching overload for '_[_]' applied to (list, string)"),
        ("has(s.a)", 7, "has() requires a map, got 'string' (testing 'a')"),
        ("s.all(c, true)", 3, "'all' needs a list or a map, got 'string'"),
        ("(i + x).startsWith('a')", 9, "no matching overload for 'startsWith' applied to (int, string)"),
        ("[1, 2].map(v, v * 2)[0] + 'a'", 25, "no matching overload for '_+_' applied to (int, string)"),
        ("double(s) + 1", 11, "no matching overload for '_+_' applied to (double, int)"),
        ("u + i", 3, "no matching overload for '_+_' applied to (uint, int)"),
        ("l + ['a'] == [] && l.max().endsWith('x')", 28, "no matching overload for 'endsWith' applied to (int, string)"),
    ])
    func certainTypeErrorsAreReportedAtTheOperator(expr: String, column: Int, message: String) {
        let d = CELProgram.check(expr, environment: Self.environment)
        #expect(d.map(\.message) == [message], "\(expr)")
        #expect(d.first?.location.column == column, "\(expr)")
    }

    @Test(arguments: [
        "x + 1", "x.foo + 1", "x && 1", "1 && false", "b ? 1 : 'x'", "1 == 'a'", "s == 1", "null == s", "1 < 1.5", "i < d",
        "u >= i", "'a' in m", "'a' in o", "s in l", "o.other + 1", "o.tags.exists(t, t.bad)", "m['a'] + 1",
        "t - t + duration('1s') < duration('1h')", "timestamp(s).getHours('UTC') + 1", "o.ports[0].port + 1",
        "has(o.name) && has(x.y)", "o.tags.map(t, t.size()).sum() > 0", "[1, 'a'][0] + 1", "size(o) + size(m) + size(s)",
        "int(x) + i", "dyn(s) + 1", "type(s) == string", "l.indexOf(1) + s.indexOf('a')", "o.ports.filter(p, p.port > 80).size()",
        "x.all(v, v)", "{'a': 1, 'b': 'x'}['a'] + 1", "[].map(v, v + 1)", "d * 2.0 / d - -d",
    ])
    func validExpressionsAreAccepted(expr: String) {
        #expect(CELProgram.check(expr, environment: Self.environment).isEmpty, "\(expr)")
    }

    @Test(arguments: [
        ("o.tags.map(t, t.size())", "list(int)"), ("l.filter(v, v > 1)", "list(int)"), ("{'a': 1}", "map(string, int)"),
        ("b ? 1 : 'x'", "dyn"), ("b ? 1 : 2", "int"), ("o.tags", "list(string)"), ("s.split(',')", "list(string)"),
        ("l.max()", "int"), ("t - t", "google.protobuf.Duration"), ("i + x", "int"), ("x + i", "int"), ("m.any", "int"),
        ("o.ports[0].name", "string"), ("o.tags.all(t, t == 'a')", "bool"), ("[1, 'a']", "list(dyn)"), ("x.y", "dyn"),
    ])
    func inferredResultType(expr: String, type: String) throws {
        #expect(try CELProgram(expr, environment: Self.environment).resultType.description == type)
    }

    /// Without `reportsTypeErrors` type errors stay evaluation errors, though the type is inferred.
    @Test func typeErrorsAreOptIn() throws {
        #expect(CELProgram.check("'a' + 1 > size(1)").isEmpty)
        #expect(try CELProgram("'a' == 'b'").resultType == .bool)
    }

    /// A condition's result type, for callers that require one, with the whole expression underlined.
    @Test func resultDiagnosticUnderlinesTheExpression() throws {
        let p = try CELProgram(" s + 'x' ", environment: Self.environment, location: SourceLocation(file: "r.yaml", line: 4, column: 10))
        #expect(p.resultType == .string)
        let d = p.resultDiagnostic("must be a bool")
        #expect(d.location == SourceLocation(file: "r.yaml", line: 4, column: 11))
        #expect(d.length == 7)
    }
}
