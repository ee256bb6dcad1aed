import TendCEL
import TendValue
import Testing

/// Expected outcome of evaluating an expression.
enum Expect: Sendable, CustomStringConvertible {
    case value(CELValue)
    /// An evaluation error whose message contains this text.
    case error(String)
    /// A compile error whose message contains this text.
    case compileError(String)

    var description: String {
        switch self {
        case .value(let v): "\(v)"
        case .error(let m): "error(\(m))"
        case .compileError(let m): "compileError(\(m))"
        }
    }
}

struct Case: Sendable, CustomTestStringConvertible {
    var expr: String
    var expect: Expect
    var testDescription: String { "\(expr) => \(expect)" }

    init(_ expr: String, _ expect: Expect) {
        self.expr = expr
        self.expect = expect
    }
    init(_ expr: String, _ v: Int64) { self.init(expr, .value(.int(v))) }
    init(_ expr: String, _ v: Bool) { self.init(expr, .value(.bool(v))) }
    init(_ expr: String, _ v: String) { self.init(expr, .value(.string(v))) }
    init(_ expr: String, d v: Double) { self.init(expr, .value(.double(v))) }
    init(_ expr: String, u v: UInt64) { self.init(expr, .value(.uint(v))) }
    init(_ expr: String, error: String) { self.init(expr, .error(error)) }
    init(_ expr: String, compileError: String) { self.init(expr, .compileError(compileError)) }
}

/// The variables every table-driven case can use.
let testObject: Value = [
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": ["name": "web", "labels": ["tier": "web", "app": "shop"], "annotations": [:]],
    "spec": ["replicas": 3, "paused": false, "ports": [80, 443], "ratio": 0.5,
             "containers": [["name": "app", "image": "nginx:1.27"], ["name": "sidecar", "image": "envoy"]]],
    "status": ["readyReplicas": 3, "conditions": [["type": "Available", "status": "True"]]],
]

let testEnvironment = CELEnvironment(variables: ["self", "items", "name", "n", "empty"])
let testVariables: [String: Value] = [
    "self": testObject, "items": ["a", "b", "c"], "name": "web", "n": 7, "empty": [],
]

func run(_ c: Case) {
    let program: CELProgram
    do {
        program = try CELProgram(c.expr, environment: testEnvironment)
    } catch {
        if case .compileError(let m) = c.expect {
            #expect(error.description.contains(m), "\(c.expr): \(error)")
        } else {
            Issue.record("\(c.expr): unexpected compile error \(error)")
        }
        return
    }
    do {
        let v = try program.evaluate(testVariables)
        switch c.expect {
        case .value(let want):
            if case .double(let w) = want, case .double(let g) = v, w.isNaN, g.isNaN { return }
            #expect(v == want, "\(c.expr)")
        default: Issue.record("\(c.expr): expected \(c.expect), got \(v)")
        }
    } catch {
        if case .error(let m) = c.expect {
            #expect(error.message.contains(m), "\(c.expr): \(error.message)")
        } else {
            Issue.record("\(c.expr): unexpected error \(error.message)")
        }
    }
}
