import Foundation
public import TendValue
import TendYAML

/// Loads rules from files and directories, as `tend check`, `tend run` and `tend plan` take them.
///
/// Directories are walked recursively for `*.yaml` and `*.yml`, in sorted order so results are
/// stable. Every document whose `apiVersion` is in the `tend.dev` group is compiled as a rule; other
/// documents (CRDs, example objects kept beside a rule) are skipped. A file named explicitly must
/// contain at least one rule.
public struct RuleLoader {
    /// The result of loading: the rules that compiled, every diagnostic, and the text of each file read
    /// (for rendering carets).
    public struct Result: Sendable {
        public var rules: [Rule] = []
        public var diagnostics: [Diagnostic] = []
        public var sources: [String: String] = [:]
        /// Files that held at least one rule document.
        public var ruleFiles: [String] = []
        /// The fields each loaded rule sets on its watched objects (``RuleConflicts``).
        var claims: [RuleConflicts.Claim] = []
        /// Documents skipped because they are not rules, by `kind (apiVersion)`.
        var skipped: [String: Int] = [:]

        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
        public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
        public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
    }

    /// The kinds' schemas from the cluster, for `tend check --cluster` (see ``RuleCompiler/compile(_:schemas:)``).
    public var schemas: (any SchemaSource)?

    public init(schemas: (any SchemaSource)? = nil) { self.schemas = schemas }

    public func load(paths: [String]) -> Result {
        var result = Result()
        var seenNames: [String: SourceLocation] = [:]
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: path, line: 1, column: 1), "no such file or directory"))
                continue
            }
            let files = isDirectory.boolValue ? Self.yamlFiles(under: path) : [path]
            for file in files {
                let before = result.ruleFiles.count
                load(file: file, into: &result, seenNames: &seenNames)
                if !isDirectory.boolValue && result.ruleFiles.count == before && !result.hasErrors(in: file) {
                    result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "no rule in this file (a rule has apiVersion: \(RuleCompiler.apiVersion) and kind: Rule)"))
                }
            }
        }
        result.diagnostics += RuleConflicts.diagnostics(result.claims)
        result.diagnostics += Self.duplicateSchemas(result.rules)
        if result.rules.isEmpty, !result.hasErrors, let first = paths.first {
            result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: first, line: 1, column: 1), Self.noRulesMessage(paths, skipped: result.skipped)))
        }
        return result
    }

    private func load(file: String, into result: inout Result, seenNames: inout [String: SourceLocation]) {
        guard let data = FileManager.default.contents(atPath: file) else {
            result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "cannot read file"))
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        result.sources[file] = text
        let documents: [YAMLDocument]
        do {
            documents = try YAML.parseDocuments(bytes: [UInt8](data), file: file, options: YAMLParseOptions(skipEmptyDocuments: true))
        } catch {
            result.diagnostics.append(error.diagnostic)
            return
        }
        var anyRule = false
        var fileDiagnostics: [Diagnostic] = []
        defer {
            // Report in source order within a file, every location inside it.
            result.diagnostics += fileDiagnostics.map { $0.location.file == file ? $0.clamped(to: text) : $0 }.enumerated().sorted {
                ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset)
            }.map(\.element)
        }
        for document in documents where !RuleCompiler.isRuleDocument(document) && document.value["kind"] != "RuleTest" {
            let kind = document.value["kind"]?.stringValue ?? "?", api = document.value["apiVersion"]?.stringValue ?? "?"
            result.skipped["\(kind) (\(api))", default: 0] += 1
        }
        for document in documents where RuleCompiler.isRuleDocument(document) {
            anyRule = true
            let (rule, diagnostics) = RuleCompiler.compile(document, schemas: schemas)
            fileDiagnostics += diagnostics
            // Names are checked for duplicates even when a rule has errors, so every problem shows at once.
            var duplicate = false
            if let name = document.value["metadata"]?["name"]?.stringValue, !name.isEmpty {
                let at = document.locations.location(of: ["metadata", "name"]) ?? document.location
                if let first = seenNames[name] {
                    fileDiagnostics.append(Diagnostic(.error, at: at, "duplicate rule name \"\(name)\" (first defined at \(first))", length: name.count))
                    duplicate = true
                } else {
                    seenNames[name] = at
                }
            }
            if let rule, !duplicate {
                result.rules.append(rule)
                result.claims += RuleConflicts.claims(of: rule, document: document)
            }
        }
        if anyRule { result.ruleFiles.append(file) }
    }

    /// What `tend check` says when it found no rule: which documents it skipped, and what a rule is.
    static func noRulesMessage(_ paths: [String], skipped: [String: Int]) -> String {
        var message = "no rules found in \(paths.joined(separator: ", ")); a rule has apiVersion: \(RuleCompiler.apiVersion) and kind: Rule"
        if !skipped.isEmpty {
            let kinds = skipped.sorted { $0.key < $1.key }.map { $0.value > 1 ? "\($0.key) x\($0.value)" : $0.key }
            message += " (skipped: \(kinds.joined(separator: ", ")))"
        }
        if skipped.keys.contains(where: { $0.contains("ResourceGraphDefinition") }) {
            message += "; kro ResourceGraphDefinitions are not read as rules: convert them with `tend import kro FILE... -o DIR` (docs/importing-kro.md)"
        }
        return message
    }

    /// One kind declared by two rules' `schema` would be two CRDs of one name: an error at the second.
    static func duplicateSchemas(_ rules: [Rule]) -> [Diagnostic] {
        var first: [String: Rule] = [:]
        var out: [Diagnostic] = []
        for rule in rules {
            guard let schema = rule.schema else { continue }
            let name = "\(schema.plural).\(schema.group)"
            if let earlier = first[name] {
                out.append(Diagnostic(.error, at: rule.location, "rule \"\(rule.name)\" declares the kind \(schema.kind) (CRD \(name)) that rule \"\(earlier.name)\" declares at \(earlier.location); declare a kind's schema in one rule"))
            } else {
                first[name] = rule
            }
        }
        return out
    }

    /// `*.yaml` and `*.yml` files under `directory`, sorted; hidden entries are skipped.
    public static func yamlFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                files.append((directory as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }
}

extension RuleLoader.Result {
    func hasErrors(in file: String) -> Bool {
        diagnostics.contains { $0.severity == .error && $0.location.file == file }
    }
}
