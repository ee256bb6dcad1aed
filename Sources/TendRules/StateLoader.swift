import Foundation
public import TendMeta
import TendOffline
public import TendValue
import TendYAML

/// Reads cluster state from YAML files for offline planning and tests.
///
/// Multi-document files and `kind: List` objects are expanded; rule documents are skipped, so a
/// directory can hold rules and state side by side. CustomResourceDefinitions in the state tell which
/// custom kinds are cluster-scoped (built-in kinds are known without discovery).
public struct StateLoader {
    public struct Result: Sendable {
        public var objects: [Value] = []
        public var clusterScoped: Set<GroupVersionKind> = InMemoryWorld.builtinClusterScoped
        public var diagnostics: [Diagnostic] = []
        public var sources: [String: String] = [:]
    }

    public init() {}

    public func load(paths: [String]) -> Result {
        var result = Result()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: path, line: 1, column: 1), "no such file or directory"))
                continue
            }
            for file in isDirectory.boolValue ? RuleLoader.yamlFiles(under: path) : [path] {
                load(file: file, into: &result)
            }
        }
        for object in result.objects where object["kind"] == "CustomResourceDefinition" {
            guard object["spec"]?["scope"] == "Cluster", let group = object["spec"]?["group"]?.stringValue,
                let kind = object["spec"]?["names"]?["kind"]?.stringValue
            else { continue }
            for version in object["spec"]?["versions"]?.arrayValue ?? [] {
                if let v = version["name"]?.stringValue { result.clusterScoped.insert(GroupVersionKind(groupVersion: GroupVersion(group: group, version: v), kind: kind)) }
            }
        }
        return result
    }

    private func load(file: String, into result: inout Result) {
        guard let data = FileManager.default.contents(atPath: file) else {
            result.diagnostics.append(Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "cannot read file"))
            return
        }
        result.sources[file] = String(decoding: data, as: UTF8.self)
        do {
            let documents = try YAML.parseDocuments(bytes: [UInt8](data), file: file, options: YAMLParseOptions(skipEmptyDocuments: true))
            for document in documents where !RuleCompiler.isRuleDocument(document) && document.value["kind"] != "RuleTest" {
                append(document.value, at: document.location, into: &result)
            }
        } catch {
            result.diagnostics.append(error.diagnostic)
        }
    }

    private func append(_ value: Value, at location: SourceLocation, into result: inout Result) {
        if value["kind"]?.stringValue?.hasSuffix("List") == true, let items = value["items"]?.arrayValue {
            for item in items { append(item, at: location, into: &result) }
            return
        }
        guard value["apiVersion"]?.stringValue != nil, value["kind"]?.stringValue != nil, ObjectKey(of: value) != nil else {
            result.diagnostics.append(Diagnostic(.error, at: location, "a state object needs apiVersion, kind and metadata.name"))
            return
        }
        result.objects.append(value)
    }
}
