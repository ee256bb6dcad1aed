import Foundation
import Testing
@testable import TendRules
import TendValue
import TendYAML

/// The kro importer piece by piece: SimpleSchema types and markers, expression rewriting, each
/// resource feature, and the report of what is not converted.
@Suite struct KroImportTests {
    /// One SimpleSchema field and the OpenAPI schema it becomes.
    static let simpleSchemaCases: [(String, Value)] = [
        ("string", ["type": "string"]),
        ("integer | default=3", ["type": "integer", "default": 3]),
        ("boolean | default=true", ["type": "boolean", "default": true]),
        ("float | minimum=0.5 maximum=2", ["type": "number", "minimum": 0.5, "maximum": 2]),
        ("string | default=\"a b\" required=true", ["type": "string", "default": "a b", "required": true]),
        ("string | default=mycoredns", ["type": "string", "default": "mycoredns"]),
        ("string | default=100", ["type": "string", "default": "100"]),
        ("string | enum=\"debug,info\" default=\"info\"", ["type": "string", "enum": ["debug", "info"], "default": "info"]),
        ("integer | enum=\"1,2\"", ["type": "integer", "enum": [1, 2]]),
        ("string | description=\"My name\" pattern=\"^[a-z]+$\" minLength=1 maxLength=9",
         ["type": "string", "description": "My name", "pattern": "^[a-z]+$", "minLength": 1, "maxLength": 9]),
        ("[]string | default=[\"a\",\"b\"] uniqueItems=true minItems=1 maxItems=3",
         ["type": "array", "items": ["type": "string"], "default": ["a", "b"], "uniqueItems": true, "minItems": 1, "maxItems": 3]),
        ("map[string]string | default={\"k\": \"v w\"}", ["type": "object", "additionalProperties": ["type": "string"], "default": ["k": "v w"]]),
        ("map[string][]integer", ["type": "object", "additionalProperties": ["type": "array", "items": ["type": "integer"]]]),
        ("[]map[string]string", ["type": "array", "items": ["type": "object", "additionalProperties": ["type": "string"]]]),
        ("object", ["type": "object", "x-kubernetes-preserve-unknown-fields": true]),
        ("Port", ["type": "Port"]),
        ("[]Port | listType=map listMapKey=name listMapKey=port",
         ["type": "array", "items": ["type": "Port"], "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"]]),
        ("string | immutable=true", ["type": "string", "x-kubernetes-validations": [["rule": "self == oldSelf", "message": "field is immutable"]]]),
    ]

    @Test(arguments: simpleSchemaCases)
    func simpleSchemaField(_ text: String, _ expected: Value) {
        var schema = KroSimpleSchema(typeNames: ["Port"])
        #expect(schema.field(.string(text), path: "spec.x") == expected)
        #expect(schema.findings.isEmpty, "\(schema.findings)")
    }

    @Test(arguments: [
        ("strin", "unknown SimpleSchema type \"strin\""),
        ("integer | default=x", "marker default=x is not a value of type integer"),
        ("string | frobnicate=1", "unknown SimpleSchema marker frobnicate=1"),
        ("[]integer | minItems=-1", "marker minItems=-1 is not a non-negative integer"),
    ])
    func simpleSchemaProblemsAreReported(_ text: String, _ message: String) {
        var schema = KroSimpleSchema(typeNames: [])
        _ = schema.field(.string(text), path: "spec.schema.spec.x")
        #expect(schema.findings.map(\.path) == ["spec.schema.spec.x"])
        #expect(schema.findings.first?.message.hasPrefix(message) == true, "\(schema.findings)")
    }

    @Test func nestedObjectsBecomeProperties() {
        var schema = KroSimpleSchema(typeNames: [])
        let out = schema.fields(["ingress": ["enabled": "boolean | default=false", "host": "string"]], path: "spec")
        #expect(out["ingress"] == ["type": "object", "properties": ["enabled": ["type": "boolean", "default": false], "host": ["type": "string"]]])
    }

    @Test(arguments: [
        ("${schema.spec.name}", "${self.spec.name}"),
        ("${schema.metadata.name}-svc", "${self.metadata.name}-svc"),
        ("${deployment.status.?schema.orValue('schema')}", "${deployment.status.?schema.orValue('schema')}"),
        ("${a.schema + schema.spec.x}", "${a.schema + self.spec.x}"),
        ("${x ? schema.spec.a : \"}schema\"}", "${x ? self.spec.a : \"}schema\"}"),
        ("${json.marshal({\"name\": schema.spec.name})}", "${json.marshal({\"name\": self.spec.name})}"),
        ("no expression schema", "no expression schema"),
        ("${schema.spec.a}:${schema.spec.b}", "${self.spec.a}:${self.spec.b}"),
    ])
    func expressionsAreRewritten(_ kro: String, _ tend: String) {
        #expect(KroExpressions.rewrite(kro, renames: ["schema": "self"]) == tend)
    }

    static let rgd = """
        apiVersion: kro.run/v1alpha1
        kind: ResourceGraphDefinition
        metadata: {name: app.kro.run}
        spec:
          schema:
            apiVersion: v1alpha2
            group: example.com
            kind: App
            spec:
              name: string | required=true
              hosts: '[]string | default=["a"]'
              expose: boolean | default=true
            status:
              host: ${config.data.?host.orValue("")}
              ready: ${deployment.status.?availableReplicas.orValue(0) > 0}
          resources:
            - id: config
              externalRef:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: '${schema.spec.name}-config'}
            - id: deployment
              readyWhen: ["${deployment.status.?availableReplicas.orValue(0) > 0}"]
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: '${schema.spec.name}'}
                spec: {replicas: 1}
            - id: service
              includeWhen: ["${schema.spec.expose}"]
              template:
                apiVersion: v1
                kind: Service
                metadata: {name: '${deployment.metadata.name}'}
            - id: pods
              forEach: [{host: "${schema.spec.hosts}"}]
              readyWhen: ["${each.status.?phase.orValue('') == 'Running'}"]
              template:
                apiVersion: v1
                kind: Pod
                metadata: {name: '${schema.spec.name}-${host}'}
        """

    @Test func everyResourceFeatureConverts() throws {
        let conversions = try KroImport.convert(text: Self.rgd, file: "app.yaml")
        let c = try #require(conversions.first)
        #expect(c.ruleName == "app")
        #expect(!c.needsManualEdits, "\(c.findings)")
        let rule = try YAML.parse(c.yaml, file: "app.yaml").value
        let spec = try #require(rule["spec"])
        #expect(spec["watch"] == ["apiVersion": "example.com/v1alpha2", "kind": "App"])
        #expect(spec["schema"]?["spec"]?["name"] == ["type": "string", "required": true])
        #expect(spec["lookups"] == [["id": "config", "apiVersion": "v1", "kind": "ConfigMap", "name": "${self.spec.name}-config"]])
        let children = try #require(spec["children"]?.arrayValue)
        #expect(children.map { $0["id"]?.stringValue } == ["deployment", "service", "pods"])
        #expect(children[0]["dependentsWait"] == "ready")
        #expect(children[0]["readyWhen"] == ["${deployment.status.?availableReplicas.orValue(0) > 0}"])
        #expect(children[1]["includeWhen"] == ["${self.spec.expose}"])
        #expect(children[1]["dependentsWait"] == nil)
        #expect(children[2]["forEach"] == [["host": "${self.spec.hosts}"]])
        #expect(children[2]["readyWhen"] == ["${pods.status.?phase.orValue('') == 'Running'}"])
        #expect(spec["status"]?["fields"]?["host"] == "${config.data.?host.orValue(\"\")}")
        #expect(spec["status"]?["fields"]?["state"] == "${ready.all ? \"ACTIVE\" : \"IN_PROGRESS\"}")
        #expect(spec["status"]?["conditions"]?[0]?["type"] == "Ready")
    }

    @Test func whatIsNotConvertedIsReportedAndKeptAsAComment() throws {
        let text = """
            apiVersion: kro.run/v1alpha1
            kind: ResourceGraphDefinition
            metadata: {name: odd}
            spec:
              schema:
                apiVersion: v1alpha1
                kind: Odd
                spec: {name: string}
                validation: [{expression: "self.name != ''", message: no empty names}]
                status: {conditions: "${deployment.status.conditions}"}
              resources:
                - id: cfg
                  externalRef: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
                  readyWhen: ["${cfg.data.ready == 'yes'}"]
                - id: deployment
                  template: {apiVersion: apps/v1, kind: Deployment, metadata: {name: x}}
                  lifecycle: {orphan: true}
            """
        let c = try #require(try KroImport.convert(text: text, file: "odd.yaml").first)
        #expect(c.needsManualEdits)
        let manual = c.findings.filter { $0.severity == .manual }.map(\.path)
        #expect(manual == ["spec.schema.validation", "spec.resources[0].readyWhen", "spec.resources[1].lifecycle", "spec.schema.status.conditions"], "\(c.findings)")
        #expect(c.yaml.contains("#   spec.resources[1].lifecycle: kro resource field \"lifecycle\" has no Tend equivalent; not converted\n#       orphan: true\n"))
        #expect(c.yaml.contains("#       - ${cfg.data.ready == 'yes'}"))
        // The rest still converts and passes the compiler.
        #expect(KroRuleCheck.diagnose(yaml: c.yaml, file: "odd.yaml", paths: []).isEmpty)
    }

    @Test func compilerErrorsAreReportedAtTheRGDPath() throws {
        let text = """
            apiVersion: kro.run/v1alpha1
            kind: ResourceGraphDefinition
            metadata: {name: rand}
            spec:
              schema: {apiVersion: v1alpha1, kind: Rand, spec: {name: string}}
              resources:
                - id: cm
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: x}
                    data: {a: "${random.noSuchFunction(10)}", b: "${schema.spec.nmae}"}
            """
        let c = try #require(try KroImport.convert(text: text, file: "rand.yaml").first)
        #expect(c.needsManualEdits)
        let paths = c.findings.filter { $0.severity == .manual }.map(\.path)
        #expect(paths == ["spec.resources[0].template.data.a", "spec.resources[0].template.data.b"], "\(c.findings)")
        #expect(c.yaml.hasPrefix("# tend check reports (fix by hand):\n"))
    }

    @Test func aFileWithoutAnRGDIsAnError() {
        #expect(throws: KroImport.ImportError.self) { try KroImport.convert(text: "apiVersion: v1\nkind: ConfigMap\n", file: "cm.yaml") }
        #expect(throws: KroImport.ImportError.self) { try KroImport.convert(text: "a: [", file: "bad.yaml") }
    }

    /// docs/importing-kro.md: its RGD converts to exactly the rule shown after it.
    @Test func theDocsExampleIsWhatTheImporterGives() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/importing-kro.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count == 2)
        let rgd = try #require(blocks.first), shown = try #require(blocks.last)
        let c = try #require(try KroImport.convert(text: rgd, file: "rgd.yaml").first)
        #expect(c.findings.isEmpty)
        #expect(c.yaml == shown)
    }

    @Test(arguments: [("webapp.kro.run", "webapp"), ("Tenant_App.kro.run", "tenant-app"), ("", "kro-import")])
    func ruleNames(_ rgd: String, _ rule: String) {
        #expect(KroImport.ruleName(rgd) == rule)
    }
}
