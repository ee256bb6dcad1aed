import TendCEL
import Testing

private func list(_ xs: CELValue...) -> Expect { .value(.list(CELList(xs))) }
private func strings(_ xs: String...) -> Expect { .value(.list(CELList(xs.map { .string($0) }))) }

/// Strings: CEL built-ins and Kubernetes extensions.
let stringsCases: [Case] = [
    Case("size('abc')", 3), Case("'abc'.size()", 3), Case("size('héllo')", 5), Case("size('😀')", 1), Case("size(b'ab')", 2),
    Case("size([1, 2])", 2), Case("size({'a': 1})", 1), Case("size(1)", error: "no matching overload for 'size'"),
    Case("'hello'.contains('ell')", true), Case("'hello'.contains('')", true), Case("'hello'.contains('x')", false),
    Case("'hello'.startsWith('he')", true), Case("'hello'.startsWith('lo')", false), Case("'hello'.endsWith('lo')", true),
    Case("'hello'.endsWith('')", true), Case("'é'.endsWith('é')", true), Case("1.contains('a')", error: "no matching overload for 'contains'"),
    Case("'foobar'.matches('o+b')", true), Case("'foobar'.matches('^o')", false), Case("matches('abc', 'b')", true),
    Case("'nginx:1.27'.matches('^[a-z]+:[0-9.]+$')", true), Case("'ABC'.matches('(?i)abc')", true),
    Case("'abc'.matches(name)", false), Case("'web'.matches(name)", true), Case("'a'.matches(name + '(')", error: "invalid regular expression"),
    Case("'a'.matches('(')", compileError: "invalid regular expression \"(\": missing closing parenthesis"),
    Case("self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')", true), Case("'é'.matches('^.$')", true),
    Case("'HeLLo'.lowerAscii()", "hello"), Case("'HeLLo'.upperAscii()", "HELLO"), Case("'ÀB'.lowerAscii()", "Àb"),
    Case("'  a b \\t\\n'.trim()", "a b"), Case("'   '.trim()", ""), Case("''.trim()", ""),
    Case("'hello'.charAt(1)", "e"), Case("'hello'.charAt(5)", ""), Case("'héllo'.charAt(1)", "é"),
    Case("'hello'.charAt(6)", error: "index out of range"), Case("'hello'.charAt(-1)", error: "index out of range"),
    Case("'hello mellow'.indexOf('ello')", 1), Case("'hello mellow'.indexOf('ello', 2)", 7), Case("'hello'.indexOf('')", 0),
    Case("'hello'.indexOf('z')", -1), Case("'héllo'.indexOf('l')", 2), Case("'hello'.indexOf('l', 9)", error: "index out of range"),
    Case("'hello mellow'.lastIndexOf('ello')", 7), Case("'hello mellow'.lastIndexOf('ello', 6)", 1),
    Case("'hello'.lastIndexOf('')", 5), Case("'hello'.lastIndexOf('z')", -1),
    Case("'a-b-c'.replace('-', '+')", "a+b+c"), Case("'a-b-c'.replace('-', '+', 1)", "a+b-c"),
    Case("'aaa'.replace('a', 'bb')", "bbbbbb"), Case("'abc'.replace('', '.')", ".a.b.c."), Case("'abc'.replace('x', 'y')", "abc"),
    Case("'a-b-c'.replace('-', '', 0)", "a-b-c"),
    Case("'a,b,c'.split(',')", strings("a", "b", "c")), Case("'a,b,c'.split(',', 2)", strings("a", "b,c")),
    Case("'a,b,c'.split(',', 0)", .value(.list(CELList([])))), Case("'abc'.split('')", strings("a", "b", "c")),
    Case("''.split(',')", strings("")), Case("'a,,b'.split(',')", strings("a", "", "b")), Case("'a,b,c'.split(',', -1)", strings("a", "b", "c")),
    Case("'tacocat'.substring(4)", "cat"), Case("'tacocat'.substring(0, 4)", "taco"), Case("'héllo'.substring(1, 2)", "é"),
    Case("'abc'.substring(3)", ""), Case("'abc'.substring(4)", error: "index out of range"),
    Case("'abc'.substring(2, 1)", error: "invalid substring range"), Case("'abc'.substring(-1)", error: "index out of range"),
    Case("['a', 'b'].join()", "ab"), Case("['a', 'b'].join('-')", "a-b"), Case("[].join(',')", ""), Case("items.join(', ')", "a, b, c"),
    Case("[1, 2].join(',')", error: "not string"),
    Case("'%s is %d'.format(['web', 3])", "web is 3"), Case("'%.2f'.format([3.14159])", "3.14"), Case("'%f'.format([1.5])", "1.500000"),
    Case("'%x'.format([255])", "ff"), Case("'%X'.format([255])", "FF"), Case("'%o'.format([8])", "10"), Case("'%b'.format([5])", "101"),
    Case("'100%%'.format([])", "100%"), Case("'%s'.format([[1, 2]])", "[1, 2]"), Case("'%s'.format([true])", "true"),
    Case("'%d'.format(['x'])", error: "decimal clause can only be used on integers"), Case("'%s %s'.format(['a'])", error: "index 1 out of range"),
    Case("'%e'.format([1234.5])", "1.234500e+03"), Case("'%.0f'.format([2.5])", "2"),
    Case("'abc' + string(1)", "abc1"),
]

@Test(arguments: stringsCases)
func strings(_ c: Case) { run(c) }

/// Kubernetes list extensions.
let listsCases: [Case] = [
    Case("[1, 2, 3].isSorted()", true), Case("[1, 3, 2].isSorted()", false), Case("['a', 'b'].isSorted()", true),
    Case("[].isSorted()", true), Case("[1, 1].isSorted()", true), Case("[1, 'a'].isSorted()", error: "no matching overload"),
    Case("[1, 2, 3].sum()", 6), Case("[1.5, 2.5].sum()", d: 4), Case("[1u, 2u].sum()", u: 3), Case("[].sum()", 0),
    Case("[9223372036854775807, 1].sum()", error: "int overflow"), Case("['a'].sum()", error: "no matching overload"),
    Case("[duration('1s'), duration('2s')].sum() == duration('3s')", true),
    Case("[3, 1, 2].min()", 1), Case("[3, 1, 2].max()", 3), Case("['b', 'a'].min()", "a"), Case("[1.5, 0.5].max()", d: 1.5),
    Case("[].min()", error: "empty list"), Case("[].max()", error: "empty list"),
    Case("[1, 2, 3, 2].indexOf(2)", 1), Case("[1, 2, 3, 2].lastIndexOf(2)", 3), Case("[1, 2].indexOf(5)", -1),
    Case("[1, 2].indexOf(2.0)", 1), Case("items.indexOf('c')", 2), Case("[].lastIndexOf(1)", -1),
    Case("self.spec.ports.max()", 443), Case("self.spec.ports.sum()", 523),
]

@Test(arguments: listsCases)
func lists(_ c: Case) { run(c) }

/// Conversions and type().
let conversionsCases: [Case] = [
    Case("int(1u)", 1), Case("int(3.9)", 3), Case("int(-3.9)", -3), Case("int('42')", 42), Case("int('-42')", -42),
    Case("int(18446744073709551615u)", error: "int overflow"), Case("int(1e19)", error: "int overflow"),
    Case("int(0.0 / 0.0)", error: "int overflow"), Case("int('4.2')", error: "cannot convert"), Case("int('x')", error: "cannot convert"),
    Case("int(true)", error: "no matching overload for 'int'"), Case("int(timestamp('1970-01-01T00:01:00Z'))", 60),
    Case("uint(1)", u: 1), Case("uint(2.7)", u: 2), Case("uint('7')", u: 7), Case("uint(-1)", error: "uint overflow"),
    Case("uint(-1.5)", error: "uint overflow"), Case("uint('-1')", error: "cannot convert"),
    Case("double(1)", d: 1), Case("double(2u)", d: 2), Case("double('1.5')", d: 1.5), Case("double('1e3')", d: 1000),
    Case("double('NaN')", d: .nan), Case("double('x')", error: "cannot convert"), Case("double(null)", error: "no matching overload"),
    Case("string(1)", "1"), Case("string(-5)", "-5"), Case("string(2u)", "2"), Case("string(1.5)", "1.5"), Case("string(true)", "true"),
    Case("string('a')", "a"), Case("string(b'abc')", "abc"), Case(#"string(b'\xff')"#, error: "invalid UTF-8"),
    Case("string(duration('90s'))", "90s"), Case("string(timestamp('2024-01-02T03:04:05Z'))", "2024-01-02T03:04:05Z"),
    Case("string([1])", error: "no matching overload for 'string'"), Case("string(null)", error: "no matching overload for 'string'"),
    Case("bytes('abc')", .value(.bytes([97, 98, 99]))), Case("bytes('é')", .value(.bytes([0xC3, 0xA9]))), Case("bytes(1)", error: "no matching overload"),
    Case("bool('true')", true), Case("bool('False')", false), Case("bool('t')", true), Case("bool('0')", false),
    Case("bool('yes')", error: "cannot convert"), Case("bool(1)", error: "no matching overload"),
    Case("dyn(1) == 1", true), Case("dyn('a')", "a"),
    Case("type(1) == int", true), Case("type(1u) == uint", true), Case("type(1.0) == double", true), Case("type('a') == string", true),
    Case("type(b'a') == bytes", true), Case("type(true) == bool", true), Case("type(null) == null_type", true),
    Case("type([]) == list", true), Case("type({}) == map", true), Case("type(int) == type", true),
    Case("type(self) == map", true), Case("type(self.spec.replicas) == int", true), Case("type(self.spec.ratio) == double", true),
    Case("type(duration('1s')) == google.protobuf.Duration", true),
    Case("type(timestamp('2024-01-01T00:00:00Z')) == google.protobuf.Timestamp", true),
    Case("type(1) == type(2)", true), Case("type(1) == type(1u)", false), Case("type(1)", .value(.type(.int))),
    Case("quantity('500m').asApproximateFloat()", d: 0.5), Case("quantity('2Gi').asInteger()", 2_147_483_648),
    Case("quantity('1k').asInteger()", 1000), Case("quantity('1e3').asInteger()", 1000), Case("quantity('100').asInteger()", 100), Case("quantity('256Mi') < quantity('1Gi')", true),
    Case("quantity('abc')", error: "invalid quantity"), Case("isQuantity('1.5Gi')", true), Case("isQuantity('1.5GB')", false),
]

@Test(arguments: conversionsCases)
func conversions(_ c: Case) { run(c) }

/// Timestamps and durations.
let timeCases: [Case] = [
    Case("timestamp('2024-03-10T12:34:56Z').getFullYear()", 2024), Case("timestamp('2024-03-10T12:34:56Z').getMonth()", 2),
    Case("timestamp('2024-03-10T12:34:56Z').getDate()", 10), Case("timestamp('2024-03-10T12:34:56Z').getDayOfMonth()", 9),
    Case("timestamp('2024-03-10T12:34:56Z').getDayOfWeek()", 0), Case("timestamp('2024-03-10T12:34:56Z').getDayOfYear()", 69),
    Case("timestamp('2024-03-10T12:34:56Z').getHours()", 12), Case("timestamp('2024-03-10T12:34:56Z').getMinutes()", 34),
    Case("timestamp('2024-03-10T12:34:56Z').getSeconds()", 56), Case("timestamp('2024-03-10T12:34:56.789Z').getMilliseconds()", 789),
    Case("timestamp('2024-03-10T12:34:56+02:00').getHours()", 10), Case("timestamp('2024-03-10T23:30:00Z').getHours('+05:30')", 5),
    Case("timestamp('2024-03-10T23:30:00Z').getDate('+05:30')", 11), Case("timestamp('2024-03-10T12:00:00Z').getHours('-08:00')", 4),
    Case("timestamp('2024-07-01T12:00:00Z').getHours('America/New_York')", 8),
    Case("timestamp('2024-01-01T12:00:00Z').getHours('America/New_York')", 7), Case("timestamp('2024-01-01T12:00:00Z').getHours('UTC')", 12),
    Case("timestamp('2024-01-01T00:00:00Z').getFullYear('-01:00')", 2023),
    Case("timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')", error: "unknown time zone"),
    Case("timestamp('1970-01-01T00:00:00Z') == timestamp(0)", true), Case("string(timestamp(1700000000))", "2023-11-14T22:13:20Z"),
    Case("string(timestamp('2024-01-01T00:00:00.5Z'))", "2024-01-01T00:00:00.5Z"), Case("timestamp('2024-02-30T00:00:00Z')", error: "cannot parse timestamp"),
    Case("timestamp('yesterday')", error: "cannot parse timestamp"), Case("timestamp('0001-01-01T00:00:00Z').getFullYear()", 1),
    Case("timestamp('9999-12-31T23:59:59Z') + duration('1s')", error: "timestamp out of range"),
    Case("string(timestamp('2024-01-01T00:00:00Z') + duration('1h30m'))", "2024-01-01T01:30:00Z"),
    Case("string(duration('1h') + timestamp('2024-01-01T00:00:00Z'))", "2024-01-01T01:00:00Z"),
    Case("string(timestamp('2024-01-01T00:00:00Z') - duration('1s'))", "2023-12-31T23:59:59Z"),
    Case("timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == duration('24h')", true),
    Case("timestamp('2024-01-01T00:00:00Z') < timestamp('2024-01-01T00:00:01Z')", true),
    Case("timestamp('2024-01-01T00:00:00+01:00') == timestamp('2023-12-31T23:00:00Z')", true),
    Case("string(duration('1.5s'))", "1.5s"), Case("string(duration('1h30m'))", "5400s"), Case("string(duration('-2m'))", "-120s"),
    Case("string(duration('100ms'))", "0.1s"), Case("string(duration('1us'))", "0.000001s"), Case("string(duration('5ns'))", "0.000000005s"),
    Case("string(duration('0'))", "0s"), Case("string(duration('1.5h'))", "5400s"),
    Case("duration('1h').getHours()", 1), Case("duration('90m').getHours()", 1), Case("duration('90m').getMinutes()", 90),
    Case("duration('1.5s').getSeconds()", 1), Case("duration('1.5s').getMilliseconds()", 500),
    Case("duration('1s') + duration('500ms') == duration('1.5s')", true), Case("duration('1s') - duration('2s') == duration('-1s')", true),
    Case("duration('1m') > duration('59s')", true), Case("-duration('1s') == duration('-1s')", true),
    Case("duration('abc')", error: "cannot parse duration"), Case("duration('1d')", error: "cannot parse duration"),
    Case("duration('3000000h')", error: "cannot parse duration"), Case("int(duration('1s'))", 1_000_000_000),
    Case("duration('1s') + 1", error: "no matching overload for '_+_'"), Case("timestamp('2024-01-01T00:00:00Z') + timestamp('2024-01-01T00:00:00Z')", error: "no matching overload"),
    Case("duration('1s').getDayOfWeek()", error: "no matching overload"), Case("timestamp(1.5)", error: "no matching overload"),
]

@Test(arguments: timeCases)
func time(_ c: Case) { run(c) }

/// Macros and has().
let macrosCases: [Case] = [
    Case("has(self.spec)", true), Case("has(self.spec.nope)", false), Case("has(self.metadata.labels.tier)", true),
    Case("has(self.metadata.annotations.x)", false), Case("has({'a': 1}.a)", true), Case("has(self.kind.x)", error: "has() requires a map"),
    Case("has(self.nope.x)", error: "no such key: \"nope\""), Case("has(self)", compileError: "has() requires a field selection"),
    Case("has(self.spec.replicas) && self.spec.replicas > 1", true),
    Case("[1, 2, 3].all(x, x > 0)", true), Case("[1, 2, 3].all(x, x > 1)", false), Case("[].all(x, x > 0)", true),
    Case("[1, 0].all(x, 10 / x > 1)", error: "division by zero"), Case("[0, 1].all(x, 10 / x > 20)", false),
    Case("[1, 0].all(x, x > 5 && 10 / x > 1)", false), Case("['a', 1].all(x, x > 0)", error: "no matching overload"),
    Case("[1, 2].all(x, x)", error: "predicate returned 'int'"),
    Case("[1, 2, 3].exists(x, x == 2)", true), Case("[1, 2, 3].exists(x, x == 5)", false), Case("[].exists(x, true)", false),
    Case("[0, 2].exists(x, 4 / x == 2)", true), Case("[0, 3].exists(x, 4 / x == 2)", error: "division by zero"),
    Case("[1, 2, 3].exists_one(x, x > 2)", true), Case("[1, 2, 3].exists_one(x, x > 1)", false), Case("[].exists_one(x, true)", false),
    Case("[0, 2].exists_one(x, 4 / x == 2)", error: "division by zero"),
    Case("[1, 2, 3].map(x, x * 2)", list(.int(2), .int(4), .int(6))), Case("[1, 2, 3].map(x, x > 1, x * 10)", list(.int(20), .int(30))),
    Case("[].map(x, x)", list()), Case("[1, 0].map(x, 1 / x)", error: "division by zero"),
    Case("[1, 2, 3, 4].filter(x, x % 2 == 0)", list(.int(2), .int(4))), Case("[1, 2].filter(x, x > 5)", list()),
    Case("{'a': 1, 'b': 2}.all(k, k.size() == 1)", true), Case("{'a': 1, 'b': 2}.map(k, k)", strings("a", "b")),
    Case("{'a': 1, 'b': 2}.filter(k, k == 'b')", strings("b")), Case("self.metadata.labels.exists(k, k == 'tier')", true),
    Case("self.spec.containers.map(c, c.name)", strings("app", "sidecar")),
    Case("self.spec.containers.exists(c, c.image.startsWith('nginx'))", true),
    Case("self.spec.containers.filter(c, c.name != 'app').map(c, c.image)", strings("envoy")),
    Case("self.status.conditions.exists(c, c.type == 'Available' && c.status == 'True')", true),
    Case("[[1, 2], [3]].map(l, l.map(x, x + 1))", list(.list(CELList([.int(2), .int(3)])), .list(CELList([.int(4)])))),
    Case("[1, 2].all(x, [3, 4].all(y, y > x))", true), Case("[1, 2].exists(x, [1].exists(x, x == 2))", false),
    Case("[1, 2].map(x, [10].map(y, x + y))", list(.list(CELList([.int(11)])), .list(CELList([.int(12)])))),
    Case("items.map(i, i + name)", strings("aweb", "bweb", "cweb")), Case("size(items.filter(i, i > 'a'))", 2),
    Case("n.all(x, true)", error: "needs a list or a map"), Case("[1].all(1, true)", compileError: "must be a variable name"),
    Case("[1].all(x)", compileError: "wrong number of arguments to 'all'"), Case("[1].map(x, y)", compileError: "undeclared reference to 'y'"),
    Case("[1].map(x, x) == [1]", true), Case("x", compileError: "undeclared reference to 'x'"),
    Case("[1, 2, 3].map(x, x).filter(y, y > 1).exists(z, z == 3)", true),
]

@Test(arguments: macrosCases)
func macros(_ c: Case) { run(c) }
