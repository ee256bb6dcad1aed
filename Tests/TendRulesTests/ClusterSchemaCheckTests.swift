import Foundation
import TendMeta
import TendRules
import TendValue
import TendYAML
import Testing

/// `tend check --cluster` without a cluster: the compiler checks child templates against, and types
/// children, lookups and a schema-less `self` by, schemas from a hand-trimmed OpenAPI v2 fixture
/// (Deployment, ConfigMap, Service, Namespace, ObjectMeta, IntOrString, Quantity; a cyclic Tree kind).
@Suite struct ClusterSchemaCheckTests {
    static let schemas: OpenAPISchemas = {
        let path = Bundle.module.resourcePath! + "/Fixtures/openapi/openapi-v2.json"
        let data = FileManager.default.contents(atPath: path)!
        return OpenAPISchemas(document: try! JSON.parse([UInt8](data)))
    }()

    /// A schema-less rule watching ConfigMaps with `children` (YAML indented as list items under
    /// `children:`, from line 10) and optional lookups.
    static func rule(_ children: String, lookups: String = "") -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: web}
        spec:
          watch: {apiVersion: v1, kind: ConfigMap}
          lookups:
            - {id: defaults, apiVersion: v1, kind: ConfigMap, name: defaults}
            - {id: namespaces, apiVersion: v1, kind: Namespace, selector: {matchLabels: {a: b}}}\(lookups)
          children:
        \(children)
        """
    }

    /// "line:column: message" of every diagnostic, errors and warnings.
    static func diagnostics(_ yaml: String, schemas: (any SchemaSource)? = Self.schemas) throws -> [String] {
        let doc = try YAML.parse(yaml, file: "rule.yaml")
        return RuleCompiler.compile(doc, schemas: schemas).diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    static let deployment = """
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${self.metadata.name}", labels: {app: web}}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                        - name: app
                          image: "${self.data.image}"
                          resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: 0.5, memory: "${self.data.memory}"}}
                          ports: [{containerPort: 8080, name: http}]
                          env: [{name: A, value: "${'x' + self.metadata.name}"}]
              readyWhen: ["${has(deployment.status.availableReplicas) && deployment.status.availableReplicas >= 1}"]
        """

    @Test func validTemplatesAndExpressionsPass() throws {
        let children = Self.deployment + """

            - id: service
              template:
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}, {port: 81, targetPort: 8080}, {port: "${deployment.spec.replicas}"}]
            - id: copies
              forEach: {ns: "${namespaces.map(n, n.metadata.name)}"}
              template:
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: web, namespace: "${ns}"}
                data: "${has(defaults.data) ? defaults.data : null}"
                binaryData: null
            - id: tree
              template: {apiVersion: example.com/v1, kind: Tree, metadata: {name: t}, spec: {name: a, children: [{name: b, children: [{name: c, anything: 1}]}]}}
        """
        #expect(try Self.diagnostics(Self.rule(children)) == [])
    }

    @Test func unknownTemplateFieldsAndWrongLiteralTypesAreErrors() throws {
        let children = """
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, lables: {a: b}}
                spec:
                  replicsa: 2
                  replicas: "3"
                  paused: yes please
                  selector: {matchLabels: {app: 1}}
                  template: {spec: {containers: {name: app}}}
        """
        #expect(try Self.diagnostics(Self.rule(children)) == [
            "14:31: Deployment.v1.apps has no field metadata.lables; did you mean \"labels\"?",
            "16:11: Deployment.v1.apps has no field spec.replicsa; did you mean \"replicas\"?",
            "17:21: Deployment.v1.apps field spec.replicas must be an integer, found a string",
            "18:19: Deployment.v1.apps field spec.paused must be a boolean, found a string",
            "19:41: Deployment.v1.apps field spec.selector.matchLabels.app must be a string, found an integer",
            "20:41: Deployment.v1.apps field spec.template.spec.containers must be an array, found an object",
        ])
    }

    @Test func expressionsOfAKnownWrongTypeAreErrors() throws {
        let children = """
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${self.metadata.name}"}
                spec:
                  replicas: "${self.metadata.name}"
                  paused: "${size(self.metadata.name)}"
                  template: {metadata: {labels: "${self.metadata.labels}"}, spec: {containers: [{name: "n-${self.metadata.name}", ports: [{containerPort: "p${1}"}]}]}}
        """
        #expect(try Self.diagnostics(Self.rule(children)) == [
            "16:24: Deployment.v1.apps field spec.replicas must be an integer, but this expression is a string",
            "17:22: Deployment.v1.apps field spec.paused must be a boolean, but this expression is an int",
            "18:147: Deployment.v1.apps field spec.template.spec.containers[0].ports[0].containerPort must be an integer, but this template is a string",
        ])
    }

    /// In a `forEach` child's `readyWhen`, its own id and `each` are one instance, not the list.
    @Test func childrenLookupsAndSelfAreTypedByTheirKinds() throws {
        let children = Self.deployment + """

            - id: copies
              forEach: {ns: "${namespaces.map(n, n.metadata.name)}"}
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: "${deployment.status.availableReplica}"}}
              readyWhen:
                - ${deployment.status.availableReplicas + "x" == "y"}
                - ${copies.metadata.name == "a" && each.metadata.nam == "a"}
                - ${copies.data.x == "a" && namespaces.metadata == null}
                - ${defaults.dta.x == "a" && self.spec == null}
        """
        #expect(try Self.diagnostics(Self.rule(children)) == [
            "31:89: deployment.status has no field \"availableReplica\"; did you mean \"availableReplicas\"?",
            "33:49: no matching overload for '_+_' applied to (int, string)",
            "34:58: each.metadata has no field \"nam\"; did you mean \"name\"?",
            "35:48: namespaces is a list; it has no field \"metadata\"",
            "36:22: defaults has no field \"dta\"; did you mean \"data\"?",
            "36:43: self has no field \"spec\"",
        ])
    }

    @Test func unservedKindsAreWarnedAboutAndNotChecked() throws {
        let children = """
            - id: widget
              template: {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {anything: 1}}
              readyWhen: ["${widget.status.whatever + 1 > 0}"]
        """
        #expect(try Self.diagnostics(Self.rule(children)) == [
            "11:52: the cluster does not serve Widget in example.com/v1; it is not checked against the cluster's schemas",
        ])
    }

    @Test func withoutASchemaSourceNothingChanges() throws {
        let children = """
            - id: deployment
              template: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicsa: "3"}}
              readyWhen: ["${deployment.status.availableReplica + 'x' == 'y' && self.spec == null}"]
        """
        #expect(try Self.diagnostics(Self.rule(children), schemas: nil) == [])
    }

    @Test func referencesAreInlinedAndCyclesCut() throws {
        let schemas = Self.schemas
        let deployment = try #require(schemas.objectSchema(for: GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")!))
        #expect(deployment["properties"]?["metadata"]?["properties"]?["labels"]?["additionalProperties"] == ["type": "string"])
        let rolling = deployment["properties"]?["spec"]?["properties"]?["strategy"]?["properties"]?["rollingUpdate"]
        #expect(rolling?["properties"]?["maxSurge"]?["x-kubernetes-int-or-string"] == true)
        #expect(rolling?["properties"]?["maxSurge"]?["type"] == nil)
        #expect(deployment["properties"]?["spec"]?["properties"]?["replicas"] == ["type": "integer", "format": "int32"])
        let tree = try #require(schemas.objectSchema(for: GroupVersionKind(apiVersion: "example.com/v1", kind: "Tree")!))
        #expect(tree["properties"]?["spec"]?["properties"]?["children"]?["items"] == [:])
        #expect(schemas.objectSchema(for: GroupVersionKind(apiVersion: "v1", kind: "Pod")!) == nil)
    }
}
