import TendRules
import TendValue
import TendYAML
import Testing

/// With a `schema`, every expression of a rule is type-checked against `self`'s declared types; the
/// result of a condition must be a bool (a condition's status a bool or a string) in every rule.
@Suite struct SchemaTypeCheckTests {
    /// "line:column: message" for the `watch.when` of the rule in SchemaFieldCheckTests (line 25, or
    /// 8 without the schema, from column 14).
    static func diagnostics(when expr: String, withSchema: Bool = true) throws -> [String] {
        try SchemaFieldCheckTests.errors(SchemaFieldCheckTests.rule(when: expr, withSchema: withSchema))
            .map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    @Test(arguments: [
        ("self.spec.image + 1", ["25:30: no matching overload for '_+_' applied to (string, int)"]),
        ("self.spec.replicas > self.spec.image", ["25:33: no matching overload for '_>_' applied to (int, string)"]),
        ("self.spec.replicas.startsWith(\"a\")", ["25:33: no matching overload for 'startsWith' applied to (int, string)"]),
        ("size(self.spec.replicas) > 0", ["25:14: no matching overload for 'size' applied to (int)"]),
        ("self.spec.ports.all(p, p.port > p.name)", ["25:44: no matching overload for '_>_' applied to (int, string)"]),
        ("self.spec.env.FOO + 1 == 2", ["25:32: no matching overload for '_+_' applied to (string, int)"]),
        ("self.spec.tiers.gold.size.endsWith(\"x\")", ["25:40: no matching overload for 'endsWith' applied to (int, string)"]),
        ("self.spec.enabled ? 1 : 2", ["25:14: watch.when must be a bool, but this expression is an int"]),
        ("self.spec.hosts", ["25:14: watch.when must be a bool, but this expression is a list(string)"]),
        ("self.metadata.name", ["25:14: watch.when must be a bool, but this expression is a string"]),
    ])
    func certainTypeErrorsAreReported(expr: String, expected: [String]) throws {
        #expect(try Self.diagnostics(when: expr) == expected)
    }

    @Test(arguments: [
        "self.spec.replicas + 1 > 2 && self.spec.image + \"x\" != \"\"",
        "self.spec.enabled ? self.spec.replicas > 1 : self.spec.image == \"\"",
        "self.spec.config.anything + 1 == 2 && self.spec.port + 1 == 2",
        "self.spec.ports.map(p, p.port).sum() > 80 && self.spec.ports.exists(p, p.name.startsWith(\"h\"))",
        "self.spec.replicas < 2.5 && self.spec.replicas != null",
        "self.metadata.labels.all(k, self.metadata.labels[k].size() < 64) && self.metadata.generation > 0",
        "timestamp(self.metadata.creationTimestamp) < timestamp(\"2030-01-01T00:00:00Z\")",
        "self.status.conditions.exists(c, c.status == \"True\") && self.status.observedGeneration >= 1",
        "self.status.endpoint + 1 == 2 || self.spec.resources.cpu.matches(\"^[0-9]+m$\")",
        "self.spec.hosts.all(self, self.bad)",
        "self.spec.enabled && self.status.url.size() > 0 || 1 && false",
    ])
    func validExpressionsPass(expr: String) throws {
        #expect(try Self.diagnostics(when: expr) == [])
    }

    @Test func withoutASchemaOnlyLiteralTypesAreKnown() throws {
        #expect(try Self.diagnostics(when: "self.spec.image + 1 > 0", withSchema: false) == [])
        #expect(try Self.diagnostics(when: "'x'", withSchema: false) == ["8:14: watch.when must be a bool, but this expression is a string"])
        #expect(try Self.diagnostics(when: "size(self.spec.hosts)", withSchema: false) == ["8:14: watch.when must be a bool, but this expression is an int"])
    }
}
