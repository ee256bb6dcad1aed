import TendCEL
import TendMeta
import TendValue
import TendYAML

/// What `tend check --cluster` adds to compiling: schemas of the kinds a rule names, from the
/// ``SchemaSource``. Without a source every function here does nothing.
extension RuleCompiler {
    /// The cluster's schema of `kind`, or nil. With a source that does not know the kind, warns at
    /// `path` that the kind is not served (nothing more is checked about it).
    mutating func clusterSchema(for kind: GroupVersionKind, at path: YAMLPath) -> Value? {
        guard let schemas else { return nil }
        if let schema = schemas.objectSchema(for: kind) { return schema }
        reader.warning("the cluster does not serve \(kind.kind) in \(kind.apiVersion); it is not checked against the cluster's schemas", at: path)
        return nil
    }

    /// The schema of the watched kind, read before `watch` is compiled, for a rule without `schema`.
    mutating func watchedKindSchema() -> Value? {
        guard schemas != nil, let apiVersion = reader.value(["spec", "watch", "apiVersion"])?.stringValue,
              let kind = reader.value(["spec", "watch", "kind"])?.stringValue,
              let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind) else { return nil }
        return clusterSchema(for: gvk, at: ["spec", "watch", "kind"])
    }

    /// Types variable `id` (a lookup or child) as an object of `kind`, or a list of them.
    mutating func typeVariable(_ id: String, kind: GroupVersionKind, isList: Bool, at path: YAMLPath, in scope: inout Scope) {
        guard let object = clusterSchema(for: kind, at: path) else { return }
        let checker = SchemaFieldChecker(object: isList ? ["type": "array", "items": object] : object)
        scope.typed[id] = (checker, checker.selfType)
    }

    /// The kind a child's template names with literal `apiVersion` and `kind`, read before children
    /// are compiled (children may refer to each other in any order).
    func templateKind(_ child: YAMLPath) -> GroupVersionKind? {
        guard let apiVersion = reader.value(child.appending(key: "template").appending(key: "apiVersion"))?.stringValue,
              let kind = reader.value(child.appending(key: "template").appending(key: "kind"))?.stringValue,
              !CELTemplate.containsExpression(apiVersion), !CELTemplate.containsExpression(kind) else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }
}
