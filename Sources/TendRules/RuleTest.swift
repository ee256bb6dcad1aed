public import Foundation
public import TendValue
import TendCEL
import TendMeta
import TendYAML

/// A rule test (`kind: RuleTest`), as `tend test` runs it: rules, steps that change objects, and what
/// must hold after the rules have reconciled each step.
///
/// ```yaml
/// apiVersion: tend.dev/v1alpha1
/// kind: RuleTest
/// metadata: {name: webapp}
/// spec:
///   rules: [rule.yaml]                 # relative to the test file
///   steps:
///     - name: creates children
///       apply: [{apiVersion: example.com/v1, kind: WebApp, metadata: {...}, spec: {...}}]
///       applyFiles: [objects.yaml]     # also relative
///       expect:
///         present: [{apiVersion: apps/v1, kind: Deployment, metadata: {name: shop, namespace: t}, spec: {replicas: 2}}]
///         absent: [{apiVersion: v1, kind: Service, metadata: {name: shop, namespace: t}}]
///     - name: deployment becomes available
///       patch: [{apiVersion: apps/v1, kind: Deployment, metadata: {name: shop, namespace: t}, status: {availableReplicas: 2}}]
///       expect:
///         present: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, status: {phase: Running}}]
///     - name: still unavailable five minutes later
///       wait: 5m                       # the test's clock moves first (for `for:` transitions)
///       expect:
///         present: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}, status: {phase: Degraded}}]
///     - name: deleting
///       delete: [{apiVersion: example.com/v1, kind: WebApp, metadata: {name: shop, namespace: t}}]
///       expect: {absent: [...]}
/// ```
///
/// `patch` objects are JSON merge patches (`kubectl patch --type merge`): `null` removes a field, such
/// as a label. `present` objects match partially: only the fields given are compared; a list matches when each
/// given element matches a distinct element of the live list, in any order (so
/// `conditions: [{type: Ready, status: "True"}]` works whatever other conditions exist).
public struct RuleTest: Sendable {
    public var name: String
    public var file: String
    public var rulePaths: [String]
    public var steps: [Step]
    /// `spec.now`: the time the test starts at (RFC 3339), what `now` reads in the rules' expressions
    /// in the first step; each step's `wait` moves it on. Nil: the time `tend test` runs.
    public var now: Date?

    public struct Step: Sendable {
        public var name: String
        public var apply: [Value] = []
        public var patch: [Value] = []
        public var delete: [Value] = []
        public var present: [Value] = []
        public var absent: [Value] = []
        /// `wait:`: how far the test's clock moves before this step (for `for:` transitions).
        public var wait: Duration?
    }

    /// The outcome of one step.
    public struct StepResult: Sendable {
        public var test: String
        public var step: String
        public var failures: [String]
        public var seconds: Double
        public var passed: Bool { failures.isEmpty }
    }

    /// Reads the tests in `file` (documents of `kind: RuleTest`).
    public static func load(file: String) -> (tests: [RuleTest], diagnostics: [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: file) else {
            return ([], [Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "cannot read file")])
        }
        let documents: [YAMLDocument]
        do {
            documents = try YAML.parseDocuments(bytes: [UInt8](data), file: file, options: YAMLParseOptions(skipEmptyDocuments: true))
        } catch {
            return ([], [error.diagnostic])
        }
        var tests: [RuleTest] = []
        var diagnostics: [Diagnostic] = []
        let directory = (file as NSString).deletingLastPathComponent
        for document in documents where document.value["kind"] == "RuleTest" {
            var reader = DocumentReader(document)
            _ = reader.object([], known: ["apiVersion", "kind", "metadata", "spec"], what: "a rule test")
            let name = reader.string(["metadata", "name"], required: true, what: "metadata.name") ?? ""
            _ = reader.object(["spec"], known: ["rules", "steps", "now"], required: true, what: "spec")
            var start: Date?
            if let text = reader.string(["spec", "now"], what: "spec.now") {
                start = RFC3339.parse(text)
                if start == nil { reader.error("spec.now must be an RFC 3339 time such as 2026-01-01T00:00:00Z, found \"\(text)\"", at: ["spec", "now"]) }
            }
            let rules = (reader.stringList(["spec", "rules"], what: "spec.rules") ?? []).map { ($0.hasPrefix("/") ? $0 : (directory as NSString).appendingPathComponent($0)) }
            if rules.isEmpty { reader.error("a rule test names its rules (spec.rules)", at: ["spec"], onKey: true) }
            var steps: [Step] = []
            for (i, _) in (reader.array(["spec", "steps"], required: true, what: "spec.steps") ?? []).enumerated() {
                let at: YAMLPath = ["spec", "steps", .index(i)]
                _ = reader.object(at, known: ["name", "wait", "apply", "applyFiles", "patch", "delete", "expect"], what: "a step")
                var step = Step(name: reader.string(at.appending(key: "name"), what: "name") ?? "step \(i + 1)")
                step.apply = reader.array(at.appending(key: "apply"), what: "apply") ?? []
                for f in reader.stringList(at.appending(key: "applyFiles"), what: "applyFiles") ?? [] {
                    let loaded = StateLoader().load(paths: [f.hasPrefix("/") ? f : (directory as NSString).appendingPathComponent(f)])
                    diagnostics += loaded.diagnostics
                    step.apply += loaded.objects
                }
                if let wait = reader.value(at.appending(key: "wait")), !wait.isNull {
                    let text = wait.stringValue ?? ""
                    if let d = CELDuration(parsing: text), d.nanoseconds >= 0 {
                        step.wait = .nanoseconds(d.nanoseconds)
                    } else {
                        reader.error("wait must be a duration such as 30s, 5m or 1h30m", at: at.appending(key: "wait"))
                    }
                }
                step.patch = reader.array(at.appending(key: "patch"), what: "patch") ?? []
                step.delete = reader.array(at.appending(key: "delete"), what: "delete") ?? []
                _ = reader.object(at.appending(key: "expect"), known: ["present", "absent"], what: "expect")
                step.present = reader.array(at.appending(key: "expect").appending(key: "present"), what: "expect.present") ?? []
                step.absent = reader.array(at.appending(key: "expect").appending(key: "absent"), what: "expect.absent") ?? []
                for (n, object) in (step.apply + step.patch + step.delete + step.present + step.absent).enumerated() where Self.reference(object) == nil {
                    reader.error("object \(n + 1) of this step needs apiVersion, kind and metadata.name", at: at, onKey: true)
                }
                steps.append(step)
            }
            diagnostics += reader.diagnostics
            var test = RuleTest(name: name, file: file, rulePaths: rules, steps: steps)
            test.now = start
            tests.append(test)
        }
        return (tests, diagnostics)
    }

    static func reference(_ object: Value) -> (GroupVersionKind, ObjectKey)? {
        guard let gvk = GroupVersionKind(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? ""),
            let key = ObjectKey(of: object)
        else { return nil }
        return (gvk, key)
    }
}
