import TendCEL
import TendValue
import Testing

@Test(arguments: [
    Case("1 + 2", 3),
    Case("self.spec.replicas > 0 && self.metadata.labels[\"tier\"] == \"web\"", true),
    Case("items.map(x, x + \"!\")", .value(.list(CELList([.string("a!"), .string("b!"), .string("c!")])))),
    Case("1 / 0", error: "division by zero"),
    Case("'abc'.matches('^a')", true),
])
func smoke(_ c: Case) { run(c) }
