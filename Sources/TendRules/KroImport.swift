public import TendValue
import TendYAML

/// `tend import kro`: kro ResourceGraphDefinitions converted into Tend rules, with a report of
/// everything that could not be expressed. Pure: text in, text and findings out.
///
/// Contract:
/// - Every document of a file that is an RGD (`apiVersion: kro.run/...`, `kind:
///   ResourceGraphDefinition`) gives one ``Conversion``; other documents are skipped with a note.
///   A file without an RGD, or that is not YAML, is an ``ImportError``.
/// - Nothing is dropped silently: a field that is not converted is a ``Finding`` of severity
///   `manual` with its kro path (`spec.resources[2].externalRef.readyWhen`), and its original
///   YAML is kept as a comment at the top of the rule. Approximations are `note`s.
/// - The rule is compiled as `tend check` compiles it; each diagnostic is a finding too, at the
///   kro path it comes from where known. ``Conversion/needsManualEdits`` is false only when nothing
///   needs a hand: the rule then passes `tend check` as written.
public enum KroImport {
    /// One thing the report says about a field.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Severity: String, Sendable, Hashable {
            /// Not converted, or converted into something `tend check` refuses: edit the rule by hand.
            case manual
            /// Converted, with a difference in behaviour worth knowing.
            case note
        }
        /// Where in the RGD, as `spec.resources[1].readyWhen`.
        public var path: String
        public var message: String
        public var severity: Severity
        /// The RGD's YAML for what was not converted (kept as a comment in the rule).
        public var original: Value?

        public init(path: String, _ message: String, severity: Severity = .manual, original: Value? = nil) {
            self.path = path
            self.message = message
            self.severity = severity
            self.original = original
        }

        public var description: String { "\(path): \(message)" }
    }

    /// The rule converted from one RGD.
    public struct Conversion: Sendable {
        /// The RGD's `metadata.name`.
        public var source: String
        /// The rule's name (a DNS label made from the RGD's name).
        public var ruleName: String
        /// The rule document as YAML, the report's manual items as comments at the top.
        public var yaml: String
        public var findings: [Finding]
        public var needsManualEdits: Bool { findings.contains { $0.severity == .manual } }
    }

    /// A file that cannot be imported at all.
    public struct ImportError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public init(file: String, message: String) {
            self.file = file
            self.message = message
        }
        public var description: String { "\(file): \(message)" }
    }

    static let rgdKind = "ResourceGraphDefinition"

    /// Converts every RGD of a YAML stream. `file` names the source in errors and comments.
    public static func convert(text: String, file: String) throws(ImportError) -> [Conversion] {
        let documents: [YAMLDocument]
        do {
            documents = try YAML.parseDocuments(text, file: file, options: YAMLParseOptions(skipEmptyDocuments: true))
        } catch {
            throw ImportError(file: file, message: "not valid YAML: \(error)")
        }
        var out: [Conversion] = []
        var skipped: [String] = []
        for document in documents {
            let v = document.value
            if v["kind"]?.stringValue == rgdKind, v["apiVersion"]?.stringValue?.hasPrefix("kro.run/") == true {
                out.append(convert(v, file: file))
            } else {
                skipped.append("\(v["kind"]?.stringValue ?? "?") (\(v["apiVersion"]?.stringValue ?? "?"))")
            }
        }
        guard !out.isEmpty else {
            let what = skipped.isEmpty ? "no documents" : "only \(skipped.joined(separator: ", "))"
            throw ImportError(file: file, message: "no kro ResourceGraphDefinition (apiVersion: kro.run/v1alpha1, kind: \(rgdKind)) found: \(what)")
        }
        if !skipped.isEmpty {
            out[0].findings.append(Finding(path: file, "skipped documents that are not ResourceGraphDefinitions: \(skipped.joined(separator: ", "))", severity: .note))
        }
        return out
    }

    /// Converts one parsed RGD.
    public static func convert(_ rgd: Value, file: String = "<rgd>") -> Conversion {
        let source = rgd["metadata"]?["name"]?.stringValue ?? ""
        var converter = KroRuleBuilder(rgd: rgd)
        let rule = converter.build()
        let header = converter.header(source: source, file: file)
        let yaml = header + YAML.serialize(rule)
        var findings = converter.findings
        findings += KroRuleCheck.diagnose(yaml: yaml, file: converter.ruleName + ".yaml", paths: converter.paths)
        // The check may have found more to do by hand: say so at the top too.
        let extra = findings.dropFirst(converter.findings.count)
        let final = extra.isEmpty ? yaml : KroRuleBuilder.comments(title: "tend check reports (fix by hand):", Array(extra)) + yaml
        return Conversion(source: source, ruleName: converter.ruleName, yaml: final, findings: findings)
    }

    /// A DNS label from an RGD's name: its first dot-separated part, lowercased, other characters
    /// replaced by `-` (`webapp.kro.run` -> `webapp`).
    static func ruleName(_ name: String) -> String {
        let first = name.split(separator: ".").first.map(String.init) ?? ""
        var out = String(first.lowercased().map { ($0.isLetter && $0.isASCII) || ($0.isNumber && $0.isASCII) ? $0 : "-" })
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if out.count > 63 { out = String(out.prefix(63)) }
        return out.isEmpty ? "kro-import" : out
    }

    /// The report as JSON: one entry per conversion, with its findings (and the rule's YAML when
    /// `includeYAML`).
    public static func json(_ conversions: [(file: String, conversion: Conversion)], errors: [ImportError], includeYAML: Bool) -> Value {
        let items: [Value] = conversions.map { file, c in
            var item: Value = [
                "file": .string(file), "rgd": .string(c.source), "rule": .string(c.ruleName),
                "converted": .bool(!c.needsManualEdits),
                "findings": .array(c.findings.map { f in
                    var v: Value = ["path": .string(f.path), "severity": .string(f.severity.rawValue), "message": .string(f.message)]
                    if let o = f.original { v["original"] = o }
                    return v
                }),
            ]
            if includeYAML { item["yaml"] = .string(c.yaml) }
            return item
        }
        return [
            "conversions": .array(items),
            "errors": .array(errors.map { ["file": .string($0.file), "message": .string($0.message)] }),
        ]
    }
}
