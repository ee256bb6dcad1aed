import TendCEL
import Testing

/// Optional types, with the results cel-go gives (cel-spec `optionals.textproto` and the
/// `OptionalTypes` library documentation).
let optionalCases: [Case] = [
    Case("optional.of(1).hasValue()", true), Case("optional.none().hasValue()", false),
    Case("optional.of(null).hasValue()", true), Case("optional.ofNonZeroValue(null).hasValue()", false),
    Case("optional.ofNonZeroValue(0).hasValue()", false), Case("optional.ofNonZeroValue('').hasValue()", false),
    Case("optional.ofNonZeroValue([]).hasValue()", false), Case("optional.ofNonZeroValue(1).value()", 1),
    Case("optional.of(42).value()", 42), Case("optional.none().value()", error: "optional.none() dereference"),
    Case("optional.none().orValue(42)", 42), Case("optional.of(1).orValue(42)", 1),
    Case("optional.none().or(optional.none()).orValue(42)", 42),
    Case("optional.ofNonZeroValue(42).or(optional.of(20)).value() == 42", true),
    Case("optional.of(1).orValue(1 / 0)", 1), Case("optional.of(1).or(1 / 0).value()", 1),
    Case("optional.none().orValue(1 / 0)", error: "division by zero"),
    Case("type(optional.none()) == optional_type", true),
    Case("optional.of(1) == optional.of(1.0)", true), Case("optional.none() == optional.none()", true),
    Case("optional.of(1) == optional.none()", false),
    // Selection.
    Case("{}.?x.hasValue()", false), Case("{'x': 1}.?x.value()", 1), Case("{'null_key': dyn(null)}.?null_key.hasValue()", true),
    Case("{'null_key': dyn(null)}.?null_key.invalid.hasValue()", error: "no such key"),
    Case("{}.?null_key.invalid.hasValue()", false), Case("{true: dyn(0)}[?false].absent.hasValue()", false),
    Case("{true: dyn(0)}[?true].absent.hasValue()", error: "no such key"),
    Case("has({}.?x.y)", false), Case("has({'x': {'y': 'z'}}.?x.y)", true),
    Case("self.metadata.?labels.tier.orValue('none')", "web"), Case("self.metadata.?labels.missing.orValue('none')", "none"),
    Case("self.?status.?phase.orValue('Pending')", "Pending"), Case("self.spec.?replicas.orValue(1)", 3),
    Case("self.metadata.labels[?'tier'].orValue('')", "web"), Case("self.metadata.labels[?'x'].orValue('')", ""),
    Case("[1, 2][?1].value()", 2), Case("[1, 2][?5].hasValue()", false), Case("[1, 2][?-1].hasValue()", false),
    Case("{'c': {'dashed-index': 'goodbye'}}.c[?'dashed-index'].orValue('default value')", "goodbye"),
    Case("optional.of({'c': {'index': 'goodbye'}}).c.index.orValue('default value')", "goodbye"),
    Case("optional.of({'c': {}}).c.missing.or(optional.none()[0]).orValue('default value')", "default value"),
    Case("optional.of({'c': {}}).c.missing.or(optional.of(['list-value'])[0]).orValue('default value')", "list-value"),
    Case("optional.of({'c': {}}).c['missing'].orValue('default value')", "default value"),
    Case("has(optional.of({'c': {'entry': 'hello world'}}).c) && !has(optional.of({'c': {'entry': 'hello world'}}).c.missing)", true),
    Case("{'c': {'dashed-index': 'goodbye'}}.?c.missing.or({'c': {'dashed-index': 'goodbye'}}.?c['dashed-index']).orValue('').size()", 7),
    Case("1.?x", error: "does not support field selection"),
    // Optional entries in literals.
    Case("[?{}.?c, ?optional.of(42), ?optional.none()]", .value(.list(CELList([.int(42)])))),
    Case("[?optional.ofNonZeroValue({'c': []}.?c.orValue(dyn({})))]", .value(.list(CELList([])))),
    Case("{?'a': optional.of(1), ?'b': optional.none(), 'c': 2} == {'a': 1, 'c': 2}", true),
    Case("{?'nested_map': optional.ofNonZeroValue({?'map': {}.?c}), 'singleton': true} == {'singleton': true}", true),
    Case("optional.ofNonZeroValue({?'nested_map': optional.ofNonZeroValue({?'map': optional.of({}).?c})}).hasValue()", false),
    Case("[?1]", error: "must be an optional"),
    // optMap / optFlatMap.
    Case("optional.of(42).optMap(y, y + 1).value()", 43), Case("optional.none().optMap(y, y + 1).hasValue()", false),
    Case("{}.?key.optFlatMap(k, k.?subkey).hasValue()", false),
    Case("{'key': {'subkey': 'subvalue'}}.?key.optFlatMap(k, k.?subkey).value()", "subvalue"),
    Case("{'key': {'subkey': ''}}.?key.optFlatMap(k, optional.ofNonZeroValue(k.subkey)).hasValue()", false),
    // Lists.
    Case("[1, 2, 3].first().value()", 1), Case("[1, 2, 3].last().value()", 3),
    Case("[].first().orValue('test')", "test"), Case("[].last().hasValue()", false),
]

@Test(arguments: optionalCases)
func optionals(_ c: Case) { run(c) }

/// `cel.bind` and the two-variable comprehensions, with cel-go's results (its `ext` README and
/// cel-spec `bindings_ext.textproto`, `macros2.textproto`).
let bindingAndComprehensionCases: [Case] = [
    Case("cel.bind(a, 'hello', cel.bind(b, 'world', a + b + b + a))", "helloworldworldhello"),
    Case("cel.bind(valid, ['a', 'b'], items.exists(e, e in valid))", true),
    Case("cel.bind(x, self.spec.replicas, x * x)", 9),
    Case("cel.bind(a, 1, cel.bind(a, a + 1, a))", 2), Case("cel.bind(x, 1, x) + cel.bind(x, 2, x)", 3),
    Case("cel.bind(1, 2, 3)", compileError: "must be a variable name"),
    Case("[1, 2, 3].all(i, j, i < j)", true), Case("{'hello': 'world', 'taco': 'taco'}.all(k, v, k != v)", false),
    Case("{'h': ['hello', 'hi'], 'j': ['joke', 'jog']}.all(k, vals, vals.all(v, v.startsWith(k)))", true),
    Case("{'greeting': 'hello', 'farewell': 'goodbye'}.exists(k, v, k.startsWith('good') || v.endsWith('bye'))", true),
    Case("[1, 2, 4, 8, 16].exists(i, v, v == 1024 && i == 10)", false),
    Case("[1, 2, 1, 3, 1, 4].existsOne(i, v, i == 1 || v == 1)", false),
    Case("[1, 1, 2, 2, 3, 3].existsOne(i, v, i == 2 && v == 2)", true),
    Case("{'i': 0, 'j': 1, 'k': 2}.existsOne(i, v, i == 'l' || v == 1)", true),
    Case("[1, 1, 2, 2, 3, 3].exists_one(i, v, i == 2 && v == 2)", true),
    Case("[1, 2, 3].transformList(i, v, (i * v) + v) == [1, 4, 9]", true),
    Case("[1, 2, 3].transformList(i, v, i % 2 == 0, (i * v) + v) == [1, 9]", true),
    Case("{'greeting': 'hello', 'farewell': 'goodbye'}.transformList(k, _, k) == ['greeting', 'farewell']", true),
    Case("{'greeting': 'hello', 'farewell': 'goodbye'}.transformList(_, v, v) == ['hello', 'goodbye']", true),
    Case("[1, 2, 3].transformMap(i, v, (i * v) + v) == {0: 1, 1: 4, 2: 9}", true),
    Case("[1, 2, 3].transformMap(i, v, i % 2 == 0, (i * v) + v) == {0: 1, 2: 9}", true),
    Case("{'greeting': 'hello'}.transformMap(k, v, v + '!') == {'greeting': 'hello!'}", true),
    Case("{'greeting': 'hello'}.transformMapEntry(k, v, {v: k}) == {'hello': 'greeting'}", true),
    Case("[1, 2, 3].transformMapEntry(i, v, {v: i}) == {1: 0, 2: 1, 3: 2}", true),
    Case("{'greeting': 'aloha', 'farewell': 'aloha'}.transformMapEntry(k, v, {v: k})", error: "repeated key"),
    Case("self.metadata.labels.transformList(k, v, k + '=' + v).join(',')", "tier=web,app=shop"),
    Case("self.spec.containers.all(i, c, i < 2 && c.name != '')", true),
    Case("[1].all(x, x, true)", compileError: "two different variable names"),
    Case("1.transformList(i, v, v)", error: "needs a list or a map"),
]

@Test(arguments: bindingAndComprehensionCases)
func bindingsAndComprehensions(_ c: Case) { run(c) }
