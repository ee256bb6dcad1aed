import TendValue
import TendYAML

/// Builds the rule document of one RGD: `schema` from kro's `spec.schema`, `watch` of the
/// instance kind, `lookups` and `children` from `spec.resources` (``KroResources``), `status`
/// from kro's status expressions plus what kro itself writes on an instance (`state` and a
/// `Ready` condition).
struct KroRuleBuilder {
    let rgd: Value
    let ruleName: String
    var findings: [KroImport.Finding] = []
    /// Tend path prefix -> kro path prefix (see ``KroResources/paths``).
    var paths: [(tend: String, kro: String)] = [("spec.schema", "spec.schema")]

    /// Status fields Tend writes itself; a kro status field of one of these names cannot be kept.
    static let reservedStatus: Set<String> = ["phase", "conditions", "observedGeneration", "phaseTransitionTime", "phaseHistory", "pendingTransition"]

    init(rgd: Value) {
        self.rgd = rgd
        ruleName = KroImport.ruleName(rgd["metadata"]?["name"]?.stringValue ?? "")
    }

    mutating func build() -> Value {
        let spec = rgd["spec"] ?? .null
        for (key, value) in spec.objectValue ?? Value.Object() where !["schema", "resources"].contains(key) {
            findings.append(.init(path: "spec.\(key)", "RGD field \"\(key)\" has no Tend equivalent; not converted", original: value))
        }
        let kro = spec["schema"] ?? .null
        let (schema, kind, apiVersion) = self.schema(kro)
        var resources = KroResources()
        resources.convert(spec["resources"], path: "spec.resources")
        findings += resources.findings
        paths += resources.paths

        var ruleSpec: Value = ["schema": schema, "watch": ["apiVersion": .string(apiVersion), "kind": .string(kind)]]
        if !resources.lookups.isEmpty { ruleSpec["lookups"] = .array(resources.lookups) }
        if !resources.children.isEmpty { ruleSpec["children"] = .array(resources.children) }
        ruleSpec["status"] = status(kro["status"])
        return [
            "apiVersion": .string(RuleCompiler.apiVersion), "kind": "Rule",
            "metadata": ["name": .string(ruleName)],
            "spec": ruleSpec,
        ]
    }

    /// `schema` (group, version, kind, scope, types, spec, printer columns), the kind, and the
    /// watched apiVersion.
    private mutating func schema(_ kro: Value) -> (Value, String, String) {
        let known: Set<String> = ["apiVersion", "kind", "group", "scope", "spec", "status", "types", "additionalPrinterColumns"]
        for (key, value) in kro.objectValue ?? Value.Object() where !known.contains(key) {
            let why = key == "validation" ? "CEL validation rules of the instance (x-kubernetes-validations on spec) cannot be declared on a rule's schema" : "no Tend equivalent"
            findings.append(.init(path: "spec.schema.\(key)", "\(why); not converted", original: value))
        }
        let kind = kro["kind"]?.stringValue ?? ""
        let version = kro["apiVersion"]?.stringValue ?? "v1alpha1"
        let group = kro["group"]?.stringValue ?? "kro.run"
        if kind.isEmpty { findings.append(.init(path: "spec.schema.kind", "the RGD names no kind; the rule has none")) }
        var typeNames: Set<String> = []
        for name in kro["types"]?.objectValue?.keys ?? [] { typeNames.insert(name) }
        var simple = KroSimpleSchema(typeNames: typeNames)
        var schema: Value = ["group": .string(group), "version": .string(version), "kind": .string(kind)]
        if let scope = kro["scope"]?.stringValue { schema["scope"] = .string(scope) }
        if let columns = kro["additionalPrinterColumns"], case .array(let items) = columns {
            schema["printerColumns"] = .array(items.enumerated().map { i, column in
                var c = Value.emptyObject
                for (k, v) in column.objectValue ?? Value.Object() {
                    if ["name", "type", "jsonPath", "description", "priority", "format"].contains(k) {
                        c[k] = v
                    } else {
                        findings.append(.init(path: "spec.schema.additionalPrinterColumns[\(i)].\(k)", "printer column field \"\(k)\" is not supported; not converted", original: v))
                    }
                }
                return c
            })
        }
        if case .object(let types)? = kro["types"] {
            var out = Value.Object()
            for (name, type) in types {
                if let s = simple.field(type, path: "spec.schema.types.\(name)") { out[name] = s }
            }
            schema["types"] = .object(out)
        }
        schema["spec"] = .object(simple.fields(kro["spec"] ?? .emptyObject, path: "spec.schema.spec"))
        findings += simple.findings
        return (schema, kind, "\(group)/\(version)")
    }

    /// kro's status expressions as `status.fields`, and what kro writes on every instance: `state`
    /// (ACTIVE once every resource is ready, IN_PROGRESS before) and a `Ready` condition.
    private mutating func status(_ kro: Value?) -> Value {
        var fields = Value.Object()
        if case .object(let o)? = kro {
            for (name, value) in o {
                if Self.reservedStatus.contains(name) {
                    findings.append(.init(path: "spec.schema.status.\(name)", "status.\(name) is written by Tend itself; not converted (rename the field)", original: value))
                    continue
                }
                fields[name] = KroExpressions.rewrite(value, renames: KroResources.renames)
            }
        } else if let kro, !kro.isNull {
            findings.append(.init(path: "spec.schema.status", "expected a mapping of status fields, found \(kro.typeName); not converted", original: kro))
        }
        if fields["state"] == nil { fields["state"] = "${ready.all ? \"ACTIVE\" : \"IN_PROGRESS\"}" }
        paths.append(("spec.status.fields", "spec.schema.status"))
        return [
            "conditions": [["type": "Ready", "status": "${ready.all}", "reason": "${ready.all ? \"AllReady\" : \"Waiting\"}"]],
            "fields": .object(fields),
        ]
    }

    /// The comment block at the top of the rule: where it comes from and what to do by hand.
    func header(source: String, file: String) -> String {
        var out = "# Converted by `tend import kro` from the kro ResourceGraphDefinition \"\(source)\" (\(file)).\n"
        let manual = findings.filter { $0.severity == .manual }
        let notes = findings.filter { $0.severity == .note }
        if !manual.isEmpty { out += Self.comments(title: "Not converted (do by hand):", manual) }
        if !notes.isEmpty { out += Self.comments(title: "Notes:", notes) }
        return out
    }

    /// Findings as YAML comment lines, each with the original YAML indented under it.
    static func comments(title: String, _ findings: [KroImport.Finding]) -> String {
        var out = "# \(title)\n"
        for f in findings {
            out += "#   \(f.path): \(f.message.replacingNewlines)\n"
            if let original = f.original {
                for line in YAML.serialize(original).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    out += "#       \(line)\n"
                }
            }
        }
        return out
    }
}

extension String {
    fileprivate var replacingNewlines: String { split(separator: "\n").joined(separator: " ") }
}
