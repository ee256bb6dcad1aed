import Testing
import TendFuzzing
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
        var rng = FuzzRNG(seed: 0x7E4D)
        for _ in 0..<2_000 {
            let v = RandomValues.value(&rng, depth: 0)
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
