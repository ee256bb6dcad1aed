import TendValue

/// kro's `spec.resources` as a rule's `children` (resources with a `template`) and `lookups`
/// (resources with an `externalRef`).
///
/// - `id` is kept: kro and Tend both name a resource by its id in expressions.
/// - `template` is kept with its expressions rewritten (``KroExpressions``: `schema` -> `self`).
/// - `includeWhen` and `forEach` carry over unchanged in form.
/// - `readyWhen` carries over (`each` -> the child's id), and the child gets `dependentsWait: ready`:
///   in kro, a resource reading one with `readyWhen` waits until it is ready.
/// - `externalRef` becomes a lookup by `metadata.name` or `metadata.selector`, in
///   `metadata.namespace` (default: the instance's namespace, as in kro).
///
/// Anything else is a finding with its path and the resource is converted without it.
struct KroResources {
    var findings: [KroImport.Finding] = []
    var children: [Value] = []
    var lookups: [Value] = []
    /// Tend path prefix (`spec.children[0]`) -> kro path prefix (`spec.resources[1]`), for
    /// reporting the rule compiler's diagnostics at kro's paths.
    var paths: [(tend: String, kro: String)] = []

    static let renames = ["schema": "self"]

    mutating func convert(_ resources: Value?, path: String) {
        guard let resources, !resources.isNull else { return }
        guard case .array(let items) = resources else {
            findings.append(.init(path: path, "resources must be a list, found \(resources.typeName); not converted", original: resources))
            return
        }
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            guard case .object(let r) = item, let id = r["id"]?.stringValue, !id.isEmpty else {
                findings.append(.init(path: at, "a resource needs an id; not converted", original: item))
                continue
            }
            let known: Set<String> = ["id", "template", "externalRef", "includeWhen", "readyWhen", "forEach"]
            for (key, value) in r where !known.contains(key) {
                findings.append(.init(path: "\(at).\(key)", "kro resource field \"\(key)\" has no Tend equivalent; not converted", original: value))
            }
            if let template = r["template"] {
                if let ref = r["externalRef"] {
                    findings.append(.init(path: "\(at).externalRef", "a resource has either a template or an externalRef; the externalRef is not converted", original: ref))
                }
                paths.append(("spec.children[\(children.count)]", at))
                children.append(child(id: id, template: template, resource: r, path: at))
            } else if let ref = r["externalRef"] {
                if let lookup = lookup(id: id, ref: ref, resource: r, path: at) {
                    paths.append(("spec.lookups[\(lookups.count)]", "\(at).externalRef"))
                    lookups.append(lookup)
                }
            } else {
                findings.append(.init(path: at, "resource \"\(id)\" has neither a template nor an externalRef; not converted", original: item))
            }
        }
    }

    private mutating func child(id: String, template: Value, resource r: Value.Object, path: String) -> Value {
        var child: Value = ["id": .string(id)]
        if let includeWhen = conditions(r["includeWhen"], path: "\(path).includeWhen", renames: Self.renames) {
            child["includeWhen"] = includeWhen
        }
        if let forEach = r["forEach"], !forEach.isNull {
            child["forEach"] = KroExpressions.rewrite(forEach, renames: Self.renames)
        }
        // kro's `each` in a collection's readyWhen is the instance judged: in Tend, the child's id.
        var readyRenames = Self.renames
        if r["forEach"] != nil { readyRenames["each"] = id }
        if let readyWhen = conditions(r["readyWhen"], path: "\(path).readyWhen", renames: readyRenames) {
            child["readyWhen"] = readyWhen
            child["dependentsWait"] = "ready"
        }
        child["template"] = KroExpressions.rewrite(template, renames: Self.renames)
        return child
    }

    /// A list of conditions, rewritten; nil when absent or empty.
    private mutating func conditions(_ value: Value?, path: String, renames: [String: String]) -> Value? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let items) = value else {
            findings.append(.init(path: path, "expected a list of expressions, found \(value.typeName); not converted", original: value))
            return nil
        }
        return items.isEmpty ? nil : KroExpressions.rewrite(value, renames: renames)
    }

    private mutating func lookup(id: String, ref: Value, resource r: Value.Object, path: String) -> Value? {
        let at = "\(path).externalRef"
        guard let apiVersion = ref["apiVersion"]?.stringValue, let kind = ref["kind"]?.stringValue else {
            findings.append(.init(path: at, "an externalRef needs apiVersion and kind; not converted", original: ref))
            return nil
        }
        var lookup: Value = ["id": .string(id), "apiVersion": .string(apiVersion), "kind": .string(kind)]
        let metadata = ref["metadata"]?.objectValue ?? Value.Object()
        for (key, value) in metadata where !["name", "namespace", "selector"].contains(key) {
            findings.append(.init(path: "\(at).metadata.\(key)", "externalRef metadata.\(key) has no lookup equivalent; not converted", original: value))
        }
        for (key, value) in ref.objectValue ?? Value.Object() where !["apiVersion", "kind", "metadata"].contains(key) {
            findings.append(.init(path: "\(at).\(key)", "externalRef field \"\(key)\" has no lookup equivalent; not converted", original: value))
        }
        if let namespace = metadata["namespace"] { lookup["namespace"] = KroExpressions.rewrite(namespace, renames: Self.renames) }
        if let name = metadata["name"] {
            lookup["name"] = KroExpressions.rewrite(name, renames: Self.renames)
        } else if let selector = metadata["selector"] {
            lookup["selector"] = KroExpressions.rewrite(selector, renames: Self.renames)
            if metadata["namespace"] == nil {
                findings.append(.init(path: "\(at).metadata.namespace", "kro lists a selector externalRef without a namespace across all namespaces; the lookup reads the instance's namespace (set namespace to widen it)", severity: .note))
            }
        } else {
            findings.append(.init(path: "\(at).metadata", "an externalRef needs metadata.name or metadata.selector; not converted", original: ref))
            return nil
        }
        for key in ["readyWhen", "includeWhen", "forEach"] {
            if let value = r[key], !value.isNull {
                findings.append(.init(path: "\(path).\(key)", "\(key) on an externalRef has no lookup equivalent (a lookup is read as it is, or null while absent); not converted", original: value))
            }
        }
        return lookup
    }
}
