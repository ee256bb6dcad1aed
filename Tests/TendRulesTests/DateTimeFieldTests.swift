import Foundation
import TendKube
import TendMeta
@testable import TendOffline
import TendValue
import TendYAML
import Testing

@testable import TendRules

/// Fields declared `format: date-time` (and `metadata.creationTimestamp`/`deletionTimestamp`) are
/// timestamps in expressions, as the Kubernetes API server's CEL types them: they compare with
/// `now` and take durations without `timestamp(...)`, their methods are checked at load time, and
/// they are written back into templates as the RFC 3339 text they came as.
@Suite struct DateTimeFieldTests {
    static let now = RFC3339.parse("2026-01-01T00:00:00Z")!

    /// A Grant rule with a schema, whose condition `Check` has status `${condition}` (line 20,
    /// column 20) and whose ConfigMap child copies `${copy}`.
    static func rule(_ condition: String, copy: String = "self.spec.expiresAt", withSchema: Bool = true) -> String {
        """
        apiVersion: tend.dev/v1alpha1
        kind: Rule
        metadata: {name: grants}
        spec:
        \(withSchema ? """
          schema:
            group: example.com
            version: v1
            kind: Grant
            spec:
              expiresAt: {type: string, format: date-time}
              windows: {type: array, items: {type: string, format: date-time}}
              note: {type: string}

        """ : "")  watch: {apiVersion: example.com/v1, kind: Grant}
          children:
            - id: copy
              template: {apiVersion: v1, kind: ConfigMap, metadata: {name: copy}, data: {value: "${string(\(copy))}"}}
          status:
            conditions:
              - type: Check
                status: "${\(condition)}"
        """
    }

    static let grant: Value = [
        "apiVersion": "example.com/v1", "kind": "Grant",
        "metadata": ["name": "g", "namespace": "t", "uid": "u", "creationTimestamp": "2025-12-31T12:00:00Z"],
        "spec": [
            "expiresAt": "2026-01-01T02:00:00Z", "note": "2026-01-01T02:00:00Z",
            "windows": ["2025-12-31T00:00:00Z", "2025-12-31T06:30:00.5Z"],
        ],
    ]

    static func compile(_ yaml: String) throws -> (Rule?, [String]) {
        let (rule, diagnostics) = RuleCompiler.compile(try YAML.parse(yaml, file: "grant.yaml"))
        return (rule, diagnostics.filter { $0.severity == .error }.map { "\($0.location.line):\($0.location.column): \($0.message)" })
    }

    static func plan(_ yaml: String) throws -> ReconcilePlan {
        let (compiled, errors) = try compile(yaml)
        let rule = try #require(compiled, "\(errors)")
        return Planner(rule: rule).plan(parent: grant, world: InMemoryWorld(objects: [grant]), now: now)
    }

    static func checkStatus(_ plan: ReconcilePlan) -> String? {
        plan.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Check" }?["status"]?.stringValue
    }

    @Test(arguments: [
        "now < self.spec.expiresAt",
        "self.spec.expiresAt - now == duration('2h')",
        "self.spec.expiresAt > timestamp('2026-01-01T01:00:00Z')",
        "self.metadata.creationTimestamp + duration('12h') == now",
        "self.spec.windows.all(w, w < now)",
        "self.spec.windows[1].getMilliseconds() == 500",
        "self.spec.expiresAt.getHours() == 2",
        "timestamp(self.spec.expiresAt) == self.spec.expiresAt",
        "cel.bind(t, self.spec.expiresAt, t - duration('2h') == now)",
        "self.spec.note.startsWith('2026')",
    ])
    func dateTimeFieldsAreTimestamps(_ condition: String) throws {
        let plan = try Self.plan(Self.rule(condition))
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(Self.checkStatus(plan) == "True")
    }

    @Test func aComparisonWithNowRequeuesForTheFieldsInstant() throws {
        let plan = try Self.plan(Self.rule("now >= self.spec.expiresAt"))
        #expect(Self.checkStatus(plan) == "False")
        #expect(plan.requeueAfter == .milliseconds(2 * 3_600_000 + 1))
    }

    @Test func templatesWriteTheTextTheFieldCameAs() throws {
        let plan = try Self.plan(Self.rule("true"))
        let copy = try #require(plan.children.first).desired
        #expect(copy["data"]?["value"] == "2026-01-01T02:00:00Z")
        let shifted = try Self.plan(Self.rule("true", copy: "self.spec.expiresAt + duration('30m')"))
        #expect(shifted.children.first?.desired["data"]?["value"] == "2026-01-01T02:30:00Z")
    }

    @Test(arguments: [
        ("self.spec.expiresAt.startsWith('2026')", "20:40: no matching overload for 'startsWith' applied to (google.protobuf.Timestamp, string)"),
        ("size(self.metadata.creationTimestamp) > 0", "20:20: no matching overload for 'size' applied to (google.protobuf.Timestamp)"),
        ("self.spec.expiresAt == '2026-01-01T02:00:00Z'",
         "20:43: self.spec.expiresAt is a timestamp (format: date-time), but it is compared with a string; compare it with timestamp(\"...\")"),
    ])
    func misuseIsALoadTimeError(_ condition: String, _ expected: String) throws {
        let (_, errors) = try Self.compile(Self.rule(condition))
        #expect(errors == [expected])
    }

    /// Without a schema nothing is typed: the field is the string it is in the object.
    @Test func withoutASchemaTheFieldIsAString() throws {
        let plan = try Self.plan(Self.rule("self.spec.expiresAt.startsWith('2026') && timestamp(self.spec.expiresAt) > now", withSchema: false))
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(Self.checkStatus(plan) == "True")
    }

    /// A `forEach` over date-time fields binds timestamps; such a loop variable is not a clock, so
    /// the rule is not requeued for time.
    @Test func loopVariablesOverDateTimeFieldsAreTimestampsNotClocks() throws {
        let yaml = Self.rule("true").replacingOccurrences(of: """
                - id: copy
                  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: copy}, data: {value: "${string(self.spec.expiresAt)}"}}
            """, with: """
                - id: windows
                  forEach: {w: "${self.spec.windows}"}
                  template:
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: "w-${string(w.getHours())}"}
                    data: {ends: "${string(w + duration('1h'))}", open: "${string(w < self.spec.expiresAt)}"}
            """)
        let plan = try Self.plan(yaml)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.requeueAfter == nil)
        let data = plan.children.map { [$0.desired["metadata"]?["name"], $0.desired["data"]?["ends"], $0.desired["data"]?["open"]] }
        #expect(data == [["w-0", "2025-12-31T01:00:00Z", "true"], ["w-6", "2025-12-31T07:30:00.5Z", "true"]])
    }
}
