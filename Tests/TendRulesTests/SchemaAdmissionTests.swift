import Testing
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML

@testable import TendRules

/// What the offline cluster does with custom objects before it stores them, as the API server does
/// (prune, default, validate), and how a rule's `schema` becomes a CRD (`required: true`, named
/// types, implied `default: {}`, printer columns, categories, plurals). The same cases run against
/// the real API server in SchemaAdmissionDifferentialTests.
@Suite struct SchemaAdmissionTests {
    static let ruleText = """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: gates}
        spec:
          schema:
            group: admission.tend-test.dev
            version: v1
            kind: TimeGates
            categories: [tend-test]
            printerColumns:
              - {name: Image, type: string, jsonPath: .spec.image}
            types:
              Port:
                type: object
                properties:
                  name: {type: string, required: true, maxLength: 15}
                  port: {type: integer, minimum: 1, maximum: 65535, default: 80}
                  protocol: {type: string, enum: [TCP, UDP]}
            spec:
              image: {type: string, required: true, pattern: "^[a-z]"}
              ports: {type: array, items: {type: Port}, maxItems: 3}
              main: {type: Port}
              opts: {type: object, properties: {debug: {type: boolean, default: false}}}
              weight: {type: number, exclusiveMinimum: true, minimum: 0}
              tags: {type: array, items: {type: string}, minItems: 1}
              labels: {type: object, additionalProperties: {type: string, minLength: 1}}
          watch: {apiVersion: admission.tend-test.dev/v1, kind: TimeGates}
          children: []
        """

    static func rule() throws -> Rule {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(ruleText, file: "gates.yaml"))
        return try #require(rule, "\(diagnostics)")
    }

    static func crd() throws -> Value {
        try #require(try rule().schema).customResourceDefinition(phasePath: nil)
    }

    static let kind = GroupVersionKind(apiVersion: "admission.tend-test.dev/v1", kind: "TimeGates")!

    static func object(_ spec: Value, name: String = "g") -> Value {
        ["apiVersion": "admission.tend-test.dev/v1", "kind": "TimeGates", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    /// Invalid objects and the errors the 1.20 API server answers (checked live by the differential test).
    static let invalid: [(spec: Value, errors: Set<String>)] = [
        (["ports": [["name": "a"]]], ["spec.image: Required value"]),
        (["image": "Xy"], [#"spec.image: Invalid value: "Xy": spec.image in body should match '^[a-z]'"#]),
        (["image": "x", "ports": [["port": 0], ["name": "b", "port": 70000]]], [
            "spec.ports.name: Required value",
            "spec.ports.port: Invalid value: 0: spec.ports.port in body should be greater than or equal to 1",
            "spec.ports.port: Invalid value: 70000: spec.ports.port in body should be less than or equal to 65535",
        ]),
        (["image": "x", "ports": [["name": "a"], ["name": "b"], ["name": "c"], ["name": "d"]]], ["spec.ports: Invalid value: 4: spec.ports in body should have at most 3 items"]),
        (["image": "x", "main": ["name": "m", "port": "80"]], [#"spec.main.port: Invalid value: "string": spec.main.port in body must be of type integer: "string""#]),
        (["image": "x", "main": ["name": "m", "protocol": "SCTP"]], [#"spec.main.protocol: Unsupported value: "SCTP": supported values: "TCP", "UDP""#]),
        (["image": "x", "main": ["name": "a-name-longer-than-15"]], [#"spec.main.name: Invalid value: "a-name-longer-than-15": spec.main.name in body should be at most 15 chars long"#]),
        (["image": "x", "weight": 0], ["spec.weight: Invalid value: 0: spec.weight in body should be greater than 0"]),
        (["image": "x", "tags": []], ["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"]),
        (["image": "x", "labels": ["a": ""]], [
            #"spec.labels.a: Invalid value: "": spec.labels.a in body should be at least 1 chars long"#,
            #"spec.labels.a: Invalid value: "null": spec.labels.a in body must be of type string: "null""#,
        ]),
        (["image": 3], [#"spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer""#]),
    ]

    @Test(arguments: 0..<invalid.count)
    func theOfflineClusterRefusesWhatTheAPIServerRefuses(_ index: Int) throws {
        let (spec, expected) = Self.invalid[index]
        let crd = try Self.crd()
        var cluster = OfflineCluster(objects: [crd])
        let object = Self.object(spec)
        let schema = try #require(cluster.defaults.schema(of: object))
        let admitted = StructuralDefaults.defaulted(SchemaPruning.pruned(object, schema: schema), schema: schema)
        let errors = SchemaValidator.validate(admitted, schema: schema, path: "")
        #expect(Set(errors.map(\.description)) == expected)

        cluster.put(object)
        #expect(cluster.get(Self.kind, namespace: "default", name: "g") == nil, "a refused object is not stored")
        let failure = try #require(cluster.failures.last)
        #expect(failure.hasPrefix(#"TimeGates.admission.tend-test.dev "g" is invalid: "#), "\(failure)")
        for e in expected { #expect(failure.contains(e), "\(failure)") }
    }

    @Test func unknownFieldsArePrunedAndDefaultsFilledIn() throws {
        var cluster = OfflineCluster(objects: [try Self.crd()])
        cluster.put(Self.object(["image": "x", "ports": [["name": "b", "extra": 2]], "unknown": 1, "main": ["name": "m", "port": .null]]))
        #expect(cluster.failures == [])
        let stored = try #require(cluster.get(Self.kind, namespace: "default", name: "g"))
        // `main.port: null` is not nullable and has a default: pruned, then defaulted. `opts` defaults to {} and then its fields.
        #expect(stored["spec"] == ["image": "x", "ports": [["name": "b", "port": 80]], "main": ["name": "m", "port": 80], "opts": ["debug": false]])
    }

    @Test func anObjectWithoutPropertiesKeepsNothingUnlessItPreservesUnknownFields() {
        let schema: Value = ["type": "object", "properties": [
            "spec": ["type": "object", "properties": [
                "bare": ["type": "object"],
                "kept": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "map": ["type": "object", "additionalProperties": ["type": "string"]],
            ]],
        ]]
        let object: Value = ["apiVersion": "a/v1", "kind": "K", "metadata": ["name": "n"], "spec": ["bare": ["a": 1], "kept": ["a": 1], "map": ["k": "v"], "other": 1]]
        #expect(SchemaPruning.pruned(object, schema: schema) == ["apiVersion": "a/v1", "kind": "K", "metadata": ["name": "n"], "spec": ["bare": [:], "kept": ["a": 1], "map": ["k": "v"]]])
    }

    @Test func requiredFlagsNamedTypesAndImpliedDefaultsBecomeOpenAPI() throws {
        let crd = try Self.crd()
        let version = try #require(crd["spec"]?["versions"]?[0])
        let root = try #require(version["schema"]?["openAPIV3Schema"])
        #expect(root["required"] == ["spec"])
        let spec = try #require(root["properties"]?["spec"])
        #expect(spec["required"] == ["image"])
        #expect(spec["properties"]?["image"]?["required"] == nil)
        #expect(spec["properties"]?["main"]?["required"] == ["name"])
        #expect(spec["properties"]?["main"]?["properties"]?["port"]?["default"] == 80)
        #expect(spec["properties"]?["ports"]?["items"]?["type"] == "object")
        #expect(spec["properties"]?["opts"]?["default"] == [:], "an object with defaults below it defaults to {}")
        #expect(spec["properties"]?["main"]?["default"] == nil, "not when it has required fields")
        #expect(crd["spec"]?["names"]?["categories"] == ["tend-test"])
        #expect(version["additionalPrinterColumns"]?.arrayValue?.map { $0["name"] } == ["Ready", "Image", "Age"])
    }

    @Test(arguments: [
        ("webapp", "webapps"), ("timegates", "timegates"), ("policy", "policies"), ("gateway", "gateways"),
        ("ingress", "ingresses"), ("status", "statuses"), ("box", "boxes"), ("batch", "batches"),
        ("person", "people"), ("dbchild", "dbchildren"), ("series", "series"), ("endpoints", "endpoints"),
        ("index", "indices"), ("analysis", "analyses"), ("knife", "knives"), ("metadata", "metadata"),
        ("human", "humans"), ("settings", "settings"),
    ])
    func pluralsFollowKubebuilder(_ word: String, _ plural: String) {
        #expect(RuleCompiler.plural(of: word) == plural)
    }

    @Test(arguments: [
        ("spec: {a: {type: Prot}}", "unknown type \"Prot\""),
        ("spec: {a: {type: string, pattern: \"([a-z\"}}", "pattern does not compile"),
        ("spec: {a: {type: string, required: yes-please}}", "required is true/false on a field"),
        ("printerColumns: [{name: A, type: text, jsonPath: .spec.a}]", "a printer column's type is one of"),
        ("printerColumns: [{name: A, type: string, jsonPath: spec.a}]", "jsonPath starts with"),
        ("spec: {a: {type: object}}", "keeps nothing"),
    ])
    func schemaMistakesAreReportedWhereTheyAre(_ fragment: String, _ message: String) throws {
        let text = """
            apiVersion: tend.dev/v1alpha1
            kind: Rule
            metadata: {name: r}
            spec:
              schema:
                group: example.com
                version: v1
                kind: Thing
                types: {Port: {type: object, properties: {name: {type: string}}}}
                \(fragment)
              watch: {apiVersion: example.com/v1, kind: Thing}
            """
        let (_, diagnostics) = RuleCompiler.compile(try YAML.parse(text, file: "r.yaml"))
        let found = try #require(diagnostics.first { $0.message.contains(message) }, "\(diagnostics.map(\.message))")
        #expect(found.location.line == 10, "\(found)")
        if message == "unknown type \"Prot\"" { #expect(found.message.contains("did you mean \"Port\"")) }
    }
}
