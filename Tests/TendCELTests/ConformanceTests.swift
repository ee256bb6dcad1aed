import Foundation
import TendCEL
import TendValue
import Testing

/// cel-spec's conformance tests (`tests/simple/testdata`, the cases a command-line evaluator can
/// take), vendored as a compact fixture by `scripts/cel-conformance-fixture`: each case is
/// compiled with its bindings declared and evaluated; a value must equal the expected one (same
/// type; NaN equals NaN), an expected error must be an error (Tend's wording differs from
/// cel-go's, so messages are not compared). Prints the pass rate and the failures.
@Suite struct ConformanceTests {
    /// The pass rate this suite guards; raise it as cases start passing (the goal is 0.98).
    static let minimumPassRate = 0.98

    struct Outcome {
        var name: String
        var problem: String?
    }

    @Test func celSpecSimpleTests() throws {
        let url = try #require(Bundle.module.url(forResource: "Conformance/cel-spec-simple.jsonl", withExtension: nil))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let outcomes = try lines.map { try Self.run(JSON.parse(String($0))) }
        let failures = outcomes.filter { $0.problem != nil }
        let rate = Double(outcomes.count - failures.count) / Double(outcomes.count)
        print("cel-spec conformance: \(outcomes.count - failures.count)/\(outcomes.count) passed (\(String(format: "%.1f", rate * 100))%)")
        for f in failures { print("  FAIL \(f.name): \(f.problem!)") }
        #expect(rate >= Self.minimumPassRate, "pass rate \(rate)")
    }

    static func run(_ c: Value) throws -> Outcome {
        guard case .object(let o) = c, case .string(let name)? = o["n"], case .string(let expr)? = o["e"] else {
            throw CELError("malformed case \(c)")
        }
        var variables: [String: CELValue] = [:]
        if case .object(let b)? = o["b"] {
            for e in b.entries { variables[e.key] = try value(e.value) }
        }
        let program: CELProgram
        do {
            program = try CELProgram(expr, environment: CELEnvironment(variables: Array(variables.keys)))
        } catch {
            // Tend reports unknown names and wrong argument counts when it loads an expression;
            // for a case expecting an error, that is the error.
            return o["err"] != nil ? Outcome(name: name) : Outcome(name: name, problem: "compile error \(error.description) for \(expr)")
        }
        let result: Result<CELValue, CELError> = Result { () throws(CELError) -> CELValue in try program.evaluate(celVariables: variables) }
        switch (result, o["v"]) {
        case (.success(let got), let want?):
            let expected = try value(want)
            return same(got, expected) ? Outcome(name: name) : Outcome(name: name, problem: "\(expr): got \(got.jsonText) (\(got.celType)), want \(expected.jsonText) (\(expected.celType))")
        case (.success(let got), nil):
            return Outcome(name: name, problem: "\(expr): got \(got.jsonText), want an error")
        case (.failure(let e), nil):
            _ = e
            return Outcome(name: name)
        case (.failure(let e), _?):
            return Outcome(name: name, problem: "\(expr): error \(e.message)")
        }
    }

    /// Structural equality with the same types all the way down; NaN equals NaN.
    static func same(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], same(v, w), y.keys.contains(where: { same($0, k) }) else { return false }
            }
            return true
        default: return a == b
        }
    }

    /// A tagged fixture value (see the script) as a CEL value.
    static func value(_ v: Value) throws -> CELValue {
        guard case .array(let a) = v, case .string(let tag)? = a.first else { throw CELError("bad value \(v)") }
        let arg = a.count > 1 ? a[1] : .null
        switch (tag, arg) {
        case ("n", _): return .null
        case ("t", .bool(let b)): return .bool(b)
        case ("i", .string(let s)): return .int(Int64(s)!)
        case ("u", .string(let s)): return .uint(UInt64(s)!)
        case ("d", .string(let s)):
            switch s {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default: return .double(Double(s)!)
            }
        case ("s", .string(let s)): return .string(s)
        case ("b", .string(let s)): return .bytes(Array(Data(base64Encoded: s)!))
        case ("l", .array(let items)): return .list(CELList(try items.map(value)))
        case ("m", .array(let entries)):
            var keys: [CELValue] = [], values: [CELValue] = []
            for e in entries {
                guard case .array(let kv) = e, kv.count == 2 else { throw CELError("bad entry") }
                keys.append(try value(kv[0]))
                values.append(try value(kv[1]))
            }
            return try mapValue(keys, values)
        case ("ty", .string(let s)): return try CELProgram(s).evaluate()
        case ("ts", .int(let s)):
            guard case .int(let n)? = a.last, let t = CELTimestamp(seconds: s, nanos: Int32(n)) else { throw CELError("bad timestamp") }
            return .timestamp(t)
        case ("du", .int(let s)):
            guard case .int(let n)? = a.last else { throw CELError("bad duration") }
            return .duration(CELDuration(nanoseconds: s * 1_000_000_000 + n))
        default: throw CELError("bad value \(v)")
        }
    }

    /// A map with these entries, built by evaluating a map literal over bound variables.
    static func mapValue(_ keys: [CELValue], _ values: [CELValue]) throws -> CELValue {
        var names: [String] = [], bound: [String: CELValue] = [:]
        var entries: [String] = []
        for i in keys.indices {
            bound["k\(i)"] = keys[i]
            bound["v\(i)"] = values[i]
            names += ["k\(i)", "v\(i)"]
            entries.append("k\(i): v\(i)")
        }
        let program = try CELProgram("{" + entries.joined(separator: ", ") + "}", environment: CELEnvironment(variables: names))
        return try program.evaluate(celVariables: bound)
    }
}
