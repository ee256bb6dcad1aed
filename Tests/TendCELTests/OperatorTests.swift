import TendCEL
import Testing

/// Arithmetic, comparison, equality, logic, `in`, `?:`, selection and indexing.
let operatorsCases: [Case] = [
    // int arithmetic
    Case("1 + 2", 3), Case("5 - 8", -3), Case("6 * 7", 42), Case("7 / 2", 3), Case("-7 / 2", -3), Case("7 % 3", 1),
    Case("-7 % 3", -1), Case("-(-3)", 3),
    Case("9223372036854775807 + 1", error: "int overflow"), Case("-9223372036854775808 - 1", error: "int overflow"),
    Case("9223372036854775807 * 2", error: "int overflow"), Case("-9223372036854775808 / -1", error: "int overflow"),
    Case("-9223372036854775808 % -1", error: "int overflow"), Case("-(-9223372036854775808)", error: "int overflow"),
    Case("1 / 0", error: "division by zero"), Case("1 % 0", error: "modulus by zero"), Case("n / (n - 7)", error: "division by zero"),
    // uint arithmetic
    Case("1u + 2u", u: 3), Case("5u - 3u", u: 2), Case("3u * 4u", u: 12), Case("7u / 2u", u: 3), Case("7u % 4u", u: 3),
    Case("1u - 2u", error: "uint overflow"), Case("18446744073709551615u + 1u", error: "uint overflow"),
    Case("18446744073709551615u * 2u", error: "uint overflow"), Case("1u / 0u", error: "division by zero"),
    Case("1u % 0u", error: "modulus by zero"), Case("-1u", error: "no matching overload for '-_'"),
    // double arithmetic
    Case("1.5 + 2.25", d: 3.75), Case("1.0 - 2.5", d: -1.5), Case("1.5 * 2.0", d: 3), Case("1.0 / 4.0", d: 0.25),
    Case("1.0 / 0.0", d: .infinity), Case("-1.0 / 0.0", d: -.infinity), Case("0.0 / 0.0", d: .nan),
    Case("5.5 % 2.0", error: "no matching overload for '_%_'"), Case("-(1.5)", d: -1.5),
    // no implicit conversions
    Case("1 + 1u", error: "no matching overload for '_+_' applied to (int, uint)"),
    Case("1 + 1.0", error: "no matching overload for '_+_' applied to (int, double)"),
    Case("1 + '1'", error: "no matching overload"), Case("'a' * 2", error: "no matching overload for '_*_'"),
    Case("true + true", error: "no matching overload"), Case("null + 1", error: "no matching overload"),
    Case("[1] - [1]", error: "no matching overload for '_-_'"),
    // string, bytes, list concatenation
    Case("'ab' + 'cd'", "abcd"), Case("b'a' + b'b'", .value(.bytes([97, 98]))),
    Case("[1] + [2, 3] == [1, 2, 3]", true), Case("[] + items == items", true), Case("size(items + items)", 6),
    // equality
    Case("1 == 1", true), Case("1 != 2", true), Case("1 == 1u", true), Case("1 == 1.0", true), Case("1u == 1.0", true),
    Case("-1 == 18446744073709551615u", false), Case("2 == 2.5", false), Case("0.0 / 0.0 == 0.0 / 0.0", false),
    Case("0.0 / 0.0 != 0.0 / 0.0", true), Case("'a' == 'a'", true), Case("'a' == 'b'", false), Case("'a' == 1", false),
    Case("null == null", true), Case("null == 0", false), Case("1 != 'a'", true), Case("true == true", true),
    Case("b'a' == b'a'", true), Case("[1, 2] == [1, 2]", true), Case("[1, 2] == [2, 1]", false), Case("[1] == [1.0]", true),
    Case("[1, 'a'] == [1, 'b']", false), Case("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", true), Case("{'a': 1} == {'a': 2}", false),
    Case("{1: 'a'} == {1u: 'a'}", true), Case("{'a': [1]} == {'a': [1]}", true), Case("[] == {}", false),
    Case("self.metadata.labels == {'tier': 'web', 'app': 'shop'}", true), Case("int == int", true), Case("type(1) == uint", false),
    // ordering
    Case("1 < 2", true), Case("2 <= 2", true), Case("3 > 2", true), Case("2 >= 3", false), Case("1u < 2u", true),
    Case("1.5 < 2.5", true), Case("1 < 1.5", true), Case("2 > 1.5", true), Case("1u < 2", true), Case("-1 < 0u", true),
    Case("18446744073709551615u > 9223372036854775807", true), Case("1.0 <= 1", true), Case("2u >= 2.0", true),
    Case("9223372036854775807 < 9223372036854775808.0", false), Case("-1 < -0.5", true), Case("0.0 / 0.0 < 1.0", false),
    Case("0.0 / 0.0 >= 1", false), Case("'a' < 'b'", true), Case("'abc' < 'abd'", true), Case("'Z' < 'a'", true),
    Case("'' < 'a'", true), Case("'é' > 'z'", true), Case("b'a' < b'b'", true), Case("false < true", true),
    Case("true <= false", false), Case("1 < 'a'", error: "no matching overload for '_<_'"),
    Case("[1] < [2]", error: "no matching overload"), Case("null < null", error: "no matching overload"),
    Case("true < 1", error: "no matching overload"),
    // logical operators and commutative error absorption
    Case("true && true", true), Case("true && false", false), Case("false || true", true), Case("false || false", false),
    Case("!false", true), Case("!1", error: "no matching overload for '!_'"),
    Case("false && 1 / 0 == 1", false), Case("1 / 0 == 1 && false", false),
    Case("true || 1 / 0 == 1", true), Case("1 / 0 == 1 || true", true),
    Case("true && 1 / 0 == 1", error: "division by zero"), Case("1 / 0 == 1 && true", error: "division by zero"),
    Case("false || 1 / 0 == 1", error: "division by zero"), Case("1 / 0 == 1 || false", error: "division by zero"),
    Case("self.nope && false", false), Case("false && self.nope", false), Case("self.nope || true", true),
    Case("1 && false", false), Case("false && 'x'", false), Case("1 || true", true),
    Case("true && 1", error: "no matching overload for '_&&_'"), Case("false || 'x'", error: "no matching overload for '_||_'"),
    Case("1 / 0 == 1 && 2 / 0 == 1", error: "division by zero"),
    Case("self.nope.x > 1 || self.spec.replicas == 3", true),
    // conditional
    Case("true ? 'y' : 'n'", "y"), Case("false ? 'y' : 'n'", "n"), Case("n > 5 ? 'big' : 'small'", "big"),
    Case("true ? 1 : 1 / 0", 1), Case("false ? 1 / 0 : 2", 2), Case("1 ? 2 : 3", error: "no matching overload for '_?_:_'"),
    Case("self.spec.replicas > 1 ? self.spec.replicas : 1", 3),
    // in
    Case("1 in [1, 2]", true), Case("3 in [1, 2]", false), Case("1u in [1, 2]", true), Case("'b' in items", true),
    Case("'tier' in self.metadata.labels", true), Case("'zone' in self.metadata.labels", false),
    Case("1 in {1: 'a'}", true), Case("1.0 in {1: 'a'}", true), Case("'a' in 'abc'", error: "no matching overload for '@in'"),
    Case("[1] in [[1], [2]]", true), Case("1 in []", false),
    // selection and indexing
    Case("self.kind", "Deployment"), Case("self.spec.replicas", 3), Case("self.spec.ratio", d: 0.5),
    Case("self.metadata.labels.tier", "web"), Case("self.metadata.labels['app']", "shop"),
    Case("self.spec.containers[1].name", "sidecar"), Case("self.spec.ports[0u]", 80), Case("self.spec.ports[1.0]", 443),
    Case("self['kind']", "Deployment"), Case("items[2]", "c"),
    Case("self.nope", error: "no such key: \"nope\""), Case("self.metadata.labels['zone']", error: "no such key: \"zone\""),
    Case("items[3]", error: "index out of range"), Case("items[-1]", error: "index out of range"),
    Case("items[1.5]", error: "invalid list index"), Case("items['a']", error: "no matching overload for '_[_]'"),
    Case("self.kind.x", error: "does not support field selection"), Case("n[0]", error: "no matching overload"),
    Case("{'a': 1}[1]", error: "no such key: 1"), Case("{1: 2}['1']", error: "no such key"),
    Case("{'a': 1, 'a': 2}", error: "repeated key"), Case("{[1]: 2}", error: "unsupported map key type 'list'"),
    Case("{1.5: 2}", error: "unsupported map key type 'double'"),
    Case("self.metadata.annotations == {}", true), Case("empty == []", true),
]

@Test(arguments: operatorsCases)
func operators(_ c: Case) { run(c) }

/// Strings compare by code point, never by Swift's canonical equivalence (cel-spec
/// `no_string_normalization`), also as map keys; numbers compare across int, uint and double as
/// cel-go does at the int64 and uint64 edges (cel-spec `comparisons.textproto`: within range the
/// integer is converted to a double); quoted field names.
let codePointAndEdgeCases: [Case] = [
    Case("'Am\\u00E9lie' == 'Ame\\u0301lie'", false), Case("'Am\\u00E9lie' != 'Ame\\u0301lie'", true),
    Case("'Am\\u00E9lie' > 'Ame\\u0301lie'", true), Case("'Am\\u00E9lie' <= 'Ame\\u0301lie'", false),
    Case("{'Am\\u00E9lie': 1}['Ame\\u0301lie']", error: "no such key"), Case("{'\\u00E9': 1, 'e\\u0301': 2}.size()", 2),
    Case("'Ame\\u0301lie' in ['Am\\u00E9lie']", false), Case("['Am\\u00E9lie'].distinct().size() == ['Am\\u00E9lie', 'Ame\\u0301lie'].distinct().size()", false),
    Case("json.unmarshal('{\"\\u00E9\": 1}')['e\\u0301']", error: "no such key"),
    Case("dyn(9223372036854775807) < 9223372036854775808.0", false), Case("dyn(9223372036854775807) >= 9223372036854775808.0", true),
    Case("dyn(9223372036854775808.0) > 9223372036854775807", false), Case("dyn(9223372036854775807) == 9223372036854775807.0", true),
    Case("dyn(9223372036854775807) < 9223372036854777856.0", true), Case("dyn(-9223372036854775808) < -9223372036854777856.0", false),
    Case("dyn(-9223372036854775808) == -9223372036854775808.0", true), Case("dyn(-9223372036854775808) > -9223372036854777856.0", true),
    Case("dyn(18446744073709551615u) < 18446744073709551616.0", false), Case("dyn(18446744073709551615u) == 18446744073709551615.0", true),
    Case("dyn(18446744073709551615u) < 18446744073709555712.0", true), Case("{'a-b': 1}.`a-b`", 1), Case("has({'a.b': 1}.`a.b`)", true),
    Case("dyn(1u) > -1", true), Case("dyn(9223372036854775807) < 9223372036854775808u", true), Case("dyn(1) < 1.5", true),
    Case("dyn(0.0 / 0.0) < 1", false), Case("dyn(0.0 / 0.0) == 0.0 / 0.0", false),
]

@Test(arguments: codePointAndEdgeCases)
func codePointsAndNumericEdges(_ c: Case) { run(c) }
