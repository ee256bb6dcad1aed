import TendCEL
import Testing

/// Literals and syntax (cel-spec langdef "Syntax" and "Values").
let literalsAndSyntaxCases: [Case] = [
    // int
    Case("0", 0), Case("42", 42), Case("0x1F", 31), Case("0XfF", 255), Case("-7", -7),
    Case("9223372036854775807", 9_223_372_036_854_775_807),
    Case("-9223372036854775808", .value(.int(.min))),
    Case("- 5", -5), Case("--5", 5), Case("---5", -5),
    // uint
    Case("1u", u: 1), Case("0U", u: 0), Case("18446744073709551615u", u: .max), Case("0xFFu", u: 255),
    // double
    Case("1.5", d: 1.5), Case("0.0", d: 0), Case(".5", d: 0.5), Case("1e3", d: 1000), Case("1.5e-3", d: 0.0015),
    Case("2E+2", d: 200), Case("-2.5", d: -2.5),
    // strings
    Case("'abc'", "abc"), Case("\"abc\"", "abc"), Case("''", ""),
    Case(#"'a\nb'"#, "a\nb"), Case(#"'a\tb'"#, "a\tb"), Case(#"'\\'"#, "\\"), Case(#"'\''"#, "'"),
    Case(#""\"""#, "\""), Case(#"'\x41'"#, "A"), Case(#"'\u00e9'"#, "é"), Case(#"'\U0001F600'"#, "😀"),
    Case(#"'\101'"#, "A"), Case(#"'\a\b\f\v\r'"#, "\u{07}\u{08}\u{0C}\u{0B}\r"), Case(#"'\?\`'"#, "?`"),
    Case(#"r'a\nb'"#, "a\\nb"), Case(#"R"\d+""#, "\\d+"),
    Case("'''multi\nline'''", "multi\nline"), Case(#""""say "hi" ok""""#, "say \"hi\" ok"),
    Case("'''it's'''", "it's"), Case("'héllo'", "héllo"),
    // bytes
    Case("b'abc'", .value(.bytes([97, 98, 99]))), Case(#"b'\xff'"#, .value(.bytes([255]))),
    Case(#"b'\377'"#, .value(.bytes([255]))), Case("b'ÿ'", .value(.bytes([0xC3, 0xBF]))),
    Case(#"rb'\x'"#, .value(.bytes([92, 120]))), Case(#"BR'\n'"#, .value(.bytes([92, 110]))),
    // bool, null
    Case("true", true), Case("false", false), Case("null", .value(.null)),
    // lists and maps
    Case("[]", .value(.list(CELList([])))), Case("[1, 2,]", .value(.list(CELList([.int(1), .int(2)])))),
    Case("size({})", 0), Case("{'a': 1}['a']", 1), Case("{'a': 1, 'b': 2,}.b", 2),
    Case("{1: 'x', true: 'y', 2u: 'z'}[true]", "y"), Case("{1: 'x'}[1u]", "x"), Case("{1: 'x'}[1.0]", "x"),
    Case("[[1, 2], [3]][0][1]", 2), Case("[1, 'a', true][1]", "a"),
    // comments and whitespace
    Case("1 + // one\n 2", 3), Case("\t1\n+\r\n2 ", 3),
    // parentheses and precedence
    Case("(1 + 2) * 3", 9), Case("1 + 2 * 3", 7), Case("10 - 4 - 3", 3), Case("100 / 10 / 5", 2),
    Case("2 * 3 % 4", 2), Case("-2 * 3", -6), Case("!true || true", true), Case("true || false && false", true),
    Case("1 < 2 == true", true), Case("1 + 1 == 2 && 3 > 2", true), Case("true ? 1 : 2 + 10", 1),
    Case("false ? 1 : true ? 2 : 3", 2), Case("1 in [1] == true", true), Case("!!true", true),
    Case(".self.kind", "Deployment"),
    // reserved words and syntax errors (compile errors)
    Case("if", compileError: "reserved identifier 'if'"), Case("has(self.metadata.namespace)", false),
    Case("let + 1", compileError: "reserved"), Case("1 +", compileError: "unexpected end of expression"),
    Case("(1", compileError: "expected ')'"), Case("[1, 2", compileError: "expected ','"), Case("{'a' 1}", compileError: "expected ':'"),
    Case("1 = 2", compileError: "did you mean '=='"), Case("a & b", compileError: "did you mean '&&'"),
    Case("'abc", compileError: "unterminated string"), Case("'a\nb'", compileError: "unterminated string"),
    Case(#"'\q'"#, compileError: "invalid escape"), Case("9223372036854775808", compileError: "out of range"),
    Case("-9223372036854775809", compileError: "out of range"), Case("18446744073709551616u", compileError: "out of range"),
    Case("1 2", compileError: "after the end of the expression"), Case("#", compileError: "unexpected character '#'"),
    Case("Foo{a: 1}", compileError: "message construction"), Case(#"b'\u00e9'"#, compileError: "not allowed in bytes"),
    Case("self.", compileError: "expected a field or method name"), Case("in", compileError: "unexpected 'in'"),
]

@Test(arguments: literalsAndSyntaxCases)
func literalsAndSyntax(_ c: Case) { run(c) }
