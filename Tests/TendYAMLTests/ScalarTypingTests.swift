import Testing
import TendValue
import TendYAML

/// Every row of the scalar-typing table in docs/yaml.md: `key: <scalar>` parses to the value shown.
@Suite struct ScalarTypingTests {
    static let rows: [(String, Value)] = [
        // null
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("nULL", "nULL"), ("nil", "nil"),
        // booleans (YAML 1.1)
        ("y", true), ("Y", true), ("yes", true), ("Yes", true), ("YES", true),
        ("n", false), ("N", false), ("no", false), ("No", false), ("NO", false),
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false),
        ("yEs", "yEs"), ("tRUE", "tRUE"),
        // integers
        ("0", 0), ("42", 42), ("-17", -17), ("+1", 1), ("-0", 0), ("1_000", 1000), ("1__0_0", 100),
        ("0x1F", 31), ("0X1f", 31), ("-0x1F", -31), ("0o17", 15), ("0O17", 15), ("017", 15), ("0777", 511),
        ("-017", -15), ("0b1010", 10), ("-0b11", -3), ("0x_1F", 31), ("00", 0),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        // integers beyond Int64: go-yaml gives uint64 or float64; both become doubles here
        ("9223372036854775808", .double(9223372036854775808)),
        ("18446744073709551615", .double(Double(UInt64.max))),
        ("18446744073709551616", .double(Double(UInt64.max))),
        ("-9223372036854775809", .double(Double(Int64.min))),
        // not integers
        ("0x", "0x"), ("0b", "0b"), ("0b102", "0b102"), ("1_", 1), ("_1", "_1"), ("+", "+"), ("-a", "-a"),
        ("0xG", "0xG"), ("1a", "1a"), ("+-1", "+-1"),
        // octal-looking decimals fall through to float, as strconv does
        ("08", .double(8)), ("09.5", .double(9.5)),
        // floats
        ("1e3", .double(1000)), ("1E3", .double(1000)), ("1.5", .double(1.5)), (".5", .double(0.5)),
        ("-.5", .double(-0.5)), ("+.5", .double(0.5)), ("1.", .double(1)), ("1.e2", .double(100)),
        ("-1.5e-3", .double(-0.0015)), ("1_000.5", .double(1000.5)), ("-0.0", .double(-0.0)),
        ("1e-999", .double(0)),
        // not floats
        ("1e999", "1e999"), (".", "."), (".e3", ".e3"), ("._5", "._5"), (".5_0", ".5_0"), ("1e", "1e"),
        ("0x1p3", "0x1p3"), ("inf", "inf"), ("nan", "nan"), (".iNf", ".iNf"), ("1,000", "1,000"),
        ("1:20", "1:20"),
        // timestamps stay strings (kubectl sends the text)
        ("2024-01-01", "2024-01-01"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        // strings
        ("hello", "hello"), ("<<", "<<"), ("=", "="), ("yes please", "yes please"),
        // quoted scalars are always strings
        ("\"yes\"", "yes"), ("'0x1F'", "0x1F"), ("\"\"", ""), ("'~'", "~"), ("\"1e3\"", "1e3"),
        ("\"null\"", "null"),
        // explicit tags
        ("!!str 123", "123"), ("!!str yes", "yes"), ("!!int \"0x10\"", 16), ("!!float 1", .double(1)),
        ("!!float '1e3'", .double(1000)), ("!!bool yes", true), ("!!null ~", .null), ("!!null ''", .null),
        ("!!binary aGVsbG8=", "aGVsbG8="), ("!!timestamp 2024-01-01", "2024-01-01"),
        ("! 12", "12"), ("!Ref db", "db"), ("!custom 12", "12"), ("!!merge <<", "<<"),
    ]

    @Test(arguments: rows)
    func plainScalar(source: String, expected: Value) throws {
        let document = try YAML.parse("key: \(source)\n", file: "t.yaml")
        #expect(document.value == ["key": expected], "key: \(source)")
        if case .double(let e) = expected, case .double(let got)? = document.value["key"] {
            #expect(e.sign == got.sign, "sign of \(source)")
        }
    }

    @Test(arguments: rows)
    func sequenceItem(source: String, expected: Value) throws {
        let document = try YAML.parse("- \(source)\n", file: "t.yaml")
        #expect(document.value == [expected])
    }

    @Test(arguments: [
        ("1: a", "1"), ("y: a", "true"), ("n: a", "false"), ("0x1F: a", "31"), ("true: a", "true"), ("yes: a", "true"), ("on: a", "true"),
        ("off: a", "false"), ("1.5: a", "1.5"), ("1e3: a", "1000"), ("1.0: a", "1"), ("0.1: a", "0.1"),
        ("1e6: a", "1e+06"), ("123456: a", "123456"), ("1234567.0: a", "1.234567e+06"), ("0.0001: a", "0.0001"),
        ("0.00001: a", "1e-05"), (".inf: a", ".inf"), ("-.inf: a", "-.inf"), (".nan: a", ".nan"),
        ("-0.0: a", "-0"), ("'1': a", "1"), ("2024-01-01: a", "2024-01-01"), ("\"<<\": a", "<<"),
        ("!!str 1.50: a", "1.50"), ("3.14159265358979: a", "3.1415927"),
    ])
    func keysBecomeStrings(source: String, key: String) throws {
        let document = try YAML.parse(source, file: "t.yaml")
        #expect(document.value == .object(Value.Object([(key, Value.string("a"))])), "\(source)")
    }
}
