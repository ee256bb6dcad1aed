import Testing
import TendValue

@Suite struct JSONParseTests {
    @Test func parsesAKubernetesObjectKeepingKeyOrderAndExactIntegers() throws {
        let v = try JSON.parse(#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","generation":9007199254740993},"data":{"z":"1","a":"2"}}"#)
        #expect(v["metadata"]?["generation"] == .int(9_007_199_254_740_993))  // beyond 2^53: exact
        #expect(v.objectValue?.keys == ["kind", "apiVersion", "metadata", "data"])
        #expect(v["data"]?.objectValue?.keys == ["z", "a"])
    }

    @Test(arguments: [
        ("0", Value.int(0)), ("-0", .int(0)), ("42", .int(42)), ("-17", .int(-17)),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", .double(1.5)), ("-0.0", .double(-0.0)), ("1e3", .double(1000)), ("1E-2", .double(0.01)),
        ("0.1", .double(0.1)), ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
        ("true", .bool(true)), ("false", .bool(false)), ("null", .null),
        (#""\u00e9\n\t\"\\\/""#, .string("é\n\t\"\\/")),
        (#""\ud83d\ude00""#, .string("😀")),
        (#""😀 direct""#, .string("😀 direct")),
        ("[]", .array([])), ("{}", .emptyObject), (" [1, [2, {}]] ", .array([1, [2, .emptyObject]])),
        (#"{"a":1,"a":2}"#, Value(dictionaryLiteral: ("a", 2))),
    ])
    func scalarsAndContainers(text: String, expected: Value) throws {
        #expect(try JSON.parse(text) == expected)
    }

    @Test func duplicateKeysInLargeObjectsKeepLastValueAndFirstPosition() throws {
        var text = "{"
        for n in 0..<40 { text += "\"k\(n)\":\(n)," }
        text += "\"k3\":\"last\"}"
        let v = try JSON.parse(text)
        #expect(v.objectValue?.count == 40)
        #expect(v["k3"] == "last")
        #expect(v.objectValue?.keys[3] == "k3")
    }

    @Test(arguments: [
        ("", 1, 1, "unexpected end of input"),
        ("{", 1, 2, "unexpected end of input inside an object"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("{\"a\":1,}", 1, 8, "expected a string key"),
        ("[1,2,]", 1, 6, "expected a JSON value"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("{\n  \"a\": tru\n}", 2, 8, "expected a JSON value"),
        ("\"abc", 1, 1, "unterminated string"),
        ("\"a\u{01}b\"", 1, 3, "control character U+0001"),
        ("\"\\x\"", 1, 2, "invalid escape '\\x'"),
        ("\"\\u12G4\"", 1, 2, "invalid \\u escape"),
        ("\"\\ud800\"", 1, 2, "unpaired surrogate"),
        ("\"\\udc00x\"", 1, 2, "unpaired surrogate"),
        ("01", 1, 1, "leading zeros"),
        ("-", 1, 2, "expected a digit"),
        ("1.", 1, 3, "expected a digit after '.'"),
        ("1e", 1, 3, "expected a digit in the exponent"),
        ("1e999", 1, 1, "out of range"),
        ("NaN", 1, 1, "expected a JSON value"),
        ("{} x", 1, 4, "after the JSON value"),
        ("// c\n1", 1, 1, "expected a JSON value"),
        ("[\"é\", x]", 1, 7, "expected a JSON value"),  // column counts scalars, not bytes
    ])
    func malformedInputIsLocated(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try JSON.parse(text)
        } throws: { error in
            guard let e = error as? JSONError else { return false }
            return e.line == line && e.column == column && e.message.contains(message)
        }
    }

    @Test func invalidUTF8IsAnErrorNotAReplacement() {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        #expect(throws: JSONError.self) { try JSON.parse(bytes) }
    }

    @Test func deepNestingIsRejectedWithoutExhaustingTheStack() {
        let text = String(repeating: "[", count: 100_000)
        #expect {
            _ = try JSON.parse(text)
        } throws: { error in
            (error as? JSONError)?.message.contains("nesting deeper than 512") == true
        }
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSON.parse(ok)) != nil)
    }

    @Test func errorRendersWithCaret() throws {
        let source = "{\n  \"a\": [1, 2,,]\n}"
        do {
            _ = try JSON.parse(source)
            Issue.record("expected an error")
        } catch {
            let rendered = error.diagnostic(file: "obj.json").render(source: source)
            #expect(
                rendered == """
                    obj.json:2:14: error: unexpected character ',', expected a JSON value
                     2 |   "a": [1, 2,,]
                       |              ^
                    """)
        }
    }
}

@Suite struct JSONSerializeTests {
    @Test func compactAndPretty() {
        let v: Value = ["b": 1, "a": [true, .null, 1.5, "x\"y\n\u{1}"], "e": [:], "f": []]
        #expect(JSON.serialize(v) == #"{"b":1,"a":[true,null,1.5,"x\"y\n\u0001"],"e":{},"f":[]}"#)
        #expect(JSON.serialize(v, options: .sortedKeys) == #"{"a":[true,null,1.5,"x\"y\n\u0001"],"b":1,"e":{},"f":[]}"#)
        #expect(
            JSON.serialize(["a": [1, 2], "b": "c"], options: .prettyPrinted) == """
                {
                  "a": [
                    1,
                    2
                  ],
                  "b": "c"
                }
                """)
    }

    @Test(arguments: [
        (Value.double(1000), "1000"), (.double(-2), "-2"), (.double(0.1), "0.1"), (.double(1e-7), "1e-07"),
        (.double(1e300), "1e+300"), (.double(.nan), "null"), (.double(.infinity), "null"), (.double(-0.0), "-0.0"),
        (.int(Int64.min), "-9223372036854775808"),
    ])
    func numbers(value: Value, text: String) {
        #expect(JSON.serialize(value) == text)
    }

    @Test func roundTripsRandomValues() throws {
        var rng = SplitMix64(seed: 0x7E4D)
        for _ in 0..<2_000 {
            let v = randomValue(&rng, depth: 0)
            let text = JSON.serialize(v)
            let back = try JSON.parse(text)
            #expect(back == normalizedForJSON(v), "\(text)")
            #expect(try JSON.parse(JSON.serialize(v, options: .prettyPrinted)) == back)
        }
    }
}

/// A double with an integral value serializes as an integer, by design; compare modulo that.
func normalizedForJSON(_ v: Value) -> Value {
    switch v {
    case .double(let d) where d == d.rounded() && abs(d) < 9_007_199_254_740_992 && !(d == 0 && d.sign == .minus):
        return .int(Int64(d))
    case .array(let a): return .array(a.map(normalizedForJSON))
    case .object(let o): return .object(Value.Object(o.map { ($0.key, normalizedForJSON($0.value)) }))
    default: return v
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let trickyStrings = [
    "", " ", "yes", "No", "null", "~", "0x1F", "1e3", "1_000", "-", "- x", "a: b", "#c", "x #c", "é", "😀", "\"q\"",
    "line1\nline2\n", "tab\there", "\u{0}", "\\", "key:", "[a]", "{b}", "*x", "&y", "!t", "%p", "@a", "`b", ".inf", "-.5",
    "2024-01-01", "12:30", "true", "<<", "=", "multi\nline", " lead", "trail ", "a'b", "\u{7F}", "\r\n",
]

func randomValue(_ rng: inout SplitMix64, depth: Int) -> Value {
    let pick = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng)
    switch pick {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0..<63, using: &rng))
    case 3:
        let d = [0.1, -2.5e-9, 1e300, 3.0, 123456.789, Double(Int64.random(in: -1000...1000, using: &rng)) / 7]
        return .double(d[Int.random(in: 0..<d.count, using: &rng)])
    case 4, 5:
        if Bool.random(using: &rng) { return .string(trickyStrings[Int.random(in: 0..<trickyStrings.count, using: &rng)]) }
        let scalars = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
            Character(Unicode.Scalar([0x41, 0x7A, 0x20, 0x3A, 0x22, 0xE9, 0x1F600, 0x0A, 0x5C, 0x2D][Int.random(in: 0..<10, using: &rng)])!)
        }
        return .string(String(scalars))
    case 6: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
        var o = Value.Object()
        for n in 0..<Int.random(in: 0..<5, using: &rng) {
            let key = Bool.random(using: &rng) ? "k\(n)" : trickyStrings[Int.random(in: 0..<trickyStrings.count, using: &rng)]
            o[key] = randomValue(&rng, depth: depth + 1)
        }
        return .object(o)
    }
}
