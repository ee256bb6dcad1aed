import Foundation
import TendRules
import TendValue
import TendYAML
import Testing

/// Expressions reading `self` are checked against the rule's `schema` at load time.
@Suite struct SchemaFieldCheckTests {
    static let schema = """
          schema:
            group: example.com
            version: v1
            kind: WebApp
            spec:
              image: {type: string}
              replicas: {type: integer}
              enabled: {type: boolean}
              hosts: {type: array, items: {type: string}}
              ports: {type: array, items: {type: object, properties: {name: {type: string}, port: {type: integer}}}}
              env: {type: object, additionalProperties: {type: string}}
              tiers: {type: object, additionalProperties: {type: object, properties: {size: {type: integer}}}}
              config: {type: object, x-kubernetes-preserve-unknown-fields: true}
              port: {x-kubernetes-int-or-string: true}
              resources: {type: object, properties: {cpu: {type: string}}}
            status:
              url: {type: string}

        """

    /// A rule whose `watch.when` is `${expr}`, on line 25 from column 14; `withSchema: false` drops the schema.
    static func rule(when expr: String, withSchema: Bool = true) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: web}
        spec:
        \(withSchema ? schema : "")  watch:
            apiVersion: example.com/v1
            kind: WebApp
            when: '${\(expr.replacingOccurrences(of: "'", with: "''"))}'
          status:
            phase: {path: status.state, initial: Pending}
            fields:
              endpoint: '${self.spec.image}'
        """
    }

    static func errors(_ yaml: String) throws -> [Diagnostic] {
        let doc = try YAML.parse(yaml, file: "rule.yaml")
        return RuleCompiler.compile(doc).diagnostics.filter { $0.severity == .error }
    }

    @Test(arguments: [
        "self.spec.replicas > 0",
        "has(self.spec.image) && self.spec[\"image\"] != \"\"",
        "self.spec.ports[0].port == 80 && self.spec.ports[i].name == \"http\"",
        "self.spec.env[\"ANY\"] == \"x\" || self.spec.env.FOO == \"y\"",
        "self.spec.tiers.gold.size > 1",
        "self.spec.config.anything.deeper == 1",
        "self.spec.port == \"http\" || self.spec.port == 80",
        "self.metadata.labels.tier == \"web\" && self.metadata.annotations[\"a/b\"] == \"\"",
        "self.metadata.generation > 1 && self.metadata.deletionTimestamp != null",
        "self.status.phase == \"Running\" && self.status.state == \"Pending\" && self.status.url != \"\"",
        "self.status.conditions.exists(c, c.type == \"Ready\") && self.status.observedGeneration == self.metadata.generation",
        "self.status.endpoint != \"\" && self.status.phaseHistory[0].to == \"x\" && self.status.pendingTransition.to == \"x\"",
        "self.apiVersion == \"example.com/v1\" && self.kind == \"WebApp\"",
        "self.spec.hosts.all(self, self.startsWith(\"a\"))",
        "self.spec.hosts.map(h, h.size()).size() > 0 && self.spec.image.startsWith(\"x\")",
        "self.spec.replicas == 3.0 || self.spec.replicas == null || self.spec.resources.cpu == \"1\"",
    ])
    func declaredFieldsPass(expr: String) throws {
        let yaml = Self.rule(when: expr).replacingOccurrences(of: "[i]", with: "[self.spec.replicas]")
        #expect(try Self.errors(yaml).map(\.description) == [])
    }

    @Test(arguments: [
        ("self.spec.replicsa > 0", 11, #"self.spec has no field "replicsa"; did you mean "replicas"?"#),
        ("has(self.spec.imag)", 15, #"self.spec has no field "imag"; did you mean "image"?"#),
        ("self.spec[\"replicsa\"] > 0", 11, #"self.spec has no field "replicsa"; did you mean "replicas"?"#),
        ("self.spec.ports[0].prot == 80", 20, #"self.spec.ports[0] has no field "prot"; did you mean "port"?"#),
        ("self.spec.tiers.gold.sise > 1", 22, #"self.spec.tiers.gold has no field "sise"; did you mean "size"?"#),
        ("self.metadata.nmae == \"x\"", 15, #"self.metadata has no field "nmae"; did you mean "name"?"#),
        ("self.status.phse == \"x\"", 13, #"self.status has no field "phse"; did you mean "phase"?"#),
        ("self.spce.image == \"x\"", 6, #"self has no field "spce"; did you mean "spec"?"#),
        ("self.spec.image.tag == \"x\"", 17, #"self.spec.image is a string; it has no field "tag""#),
        ("self.spec.hosts.first == \"x\"", 17, #"self.spec.hosts is a list; it has no field "first""#),
        ("self.spec.replicas == \"3\"", 23, "self.spec.replicas is an integer in the schema, but it is compared with a string"),
        ("\"yes\" != self.spec.enabled", 1, "self.spec.enabled is a boolean in the schema, but it is compared with a string"),
        ("self.spec.image > 1", 19, "self.spec.image is a string in the schema, but it is compared with an integer"),
    ])
    func undeclaredFieldsAreErrorsAtTheToken(expr: String, column: Int, message: String) throws {
        let errors = try Self.errors(Self.rule(when: expr))
        #expect(errors.map(\.message) == [message])
        #expect(errors.first?.location.line == 25)
        #expect(errors.first?.location.column == 13 + column)
    }

    @Test func withoutASchemaNothingIsChecked() throws {
        #expect(try Self.errors(Self.rule(when: "self.spec.replicsa == \"3\"", withSchema: false)).isEmpty)
    }

    @Test func everyExpressionOfTheRuleIsCheckedAndEveryProblemReported() throws {
        let yaml = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: web}
            spec:
            \(Self.schema)  watch: {apiVersion: example.com/v1, kind: WebApp}
              lookups:
                - {id: defaults, apiVersion: v1, kind: ConfigMap, name: '${self.metadata.nam}'}
              children:
                - id: deployment
                  template:
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: '${self.metadata.name}-web'}
                    spec: {replicas: '${self.spec.replicsa}'}
                  includeWhen: ['${self.spec.enabld}']
                  forEach: {host: '${self.spec.hostz}'}
                  readyWhen: ['${deployment.status.ready == self.spec.replicsa}']
              patch:
                metadata: {labels: {image: '${self.spec.imag}'}}
              status:
                conditions:
                  - {type: Ready, status: '${self.status.readdy}'}
                fields:
                  endpoint: '${self.spec.hosts.map(self, self.bad)}'
            """
        let errors = try Self.errors(yaml)
        #expect(errors.map(\.message) == [
            #"self.metadata has no field "nam"; did you mean "name"?"#,
            #"self.spec has no field "hostz"; did you mean "hosts"?"#,
            #"self.spec has no field "replicsa"; did you mean "replicas"?"#,
            #"self.spec has no field "enabld"; did you mean "enabled"?"#,
            #"self.spec has no field "replicsa"; did you mean "replicas"?"#,
            #"self.spec has no field "imag"; did you mean "image"?"#,
            #"self.status has no field "readdy""#,
        ])
    }
}
