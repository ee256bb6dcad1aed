import TendValue
import TendYAML

/// Compiles a converted rule as `tend check` would and reports each diagnostic at the RGD path it
/// comes from: an expression Tend does not have a function for, a field the schema lacks, and so on.
enum KroRuleCheck {
    /// Errors become `manual` findings, warnings `note`s. `paths` maps Tend path prefixes to kro's.
    static func diagnose(yaml: String, file: String, paths: [(tend: String, kro: String)]) -> [KroImport.Finding] {
        let document: YAMLDocument
        do {
            document = try YAML.parse(yaml, file: file)
        } catch {
            return [.init(path: "(rule)", "the converted rule is not valid YAML: \(error)")]
        }
        let (_, diagnostics) = RuleCompiler.compile(document)
        let lines = pathsByLine(document)
        return diagnostics.map { d in
            let tendPath = lines[d.location.line]
            let path = tendPath.map { kroPath(for: $0, paths: paths) } ?? "(rule line \(d.location.line))"
            return .init(path: path, "tend check: \(d.message)", severity: d.severity == .error ? .manual : .note)
        }
    }

    /// For each line of the document, the deepest path whose key or value starts on it.
    static func pathsByLine(_ document: YAMLDocument) -> [Int: String] {
        var out: [Int: (depth: Int, path: String)] = [:]
        func visit(_ value: Value, _ path: YAMLPath) {
            if let info = document.locations.info(at: path) {
                let line = info.keyLocation?.line ?? info.location.line
                let text = String(path.description.dropFirst())
                if (out[line]?.depth ?? -1) < path.components.count { out[line] = (path.components.count, text) }
                // A multi-line scalar: its other lines belong to it too.
                if case .string(let s) = value, info.location.line > line || s.contains("\n") {
                    let extra = s.split(separator: "\n", omittingEmptySubsequences: false).count
                    for l in line...(info.location.line + extra) where out[l] == nil { out[l] = (path.components.count, text) }
                }
            }
            switch value {
            case .object(let o): for (k, v) in o { visit(v, path.appending(key: k)) }
            case .array(let a): for (i, v) in a.enumerated() { visit(v, path.appending(index: i)) }
            default: break
            }
        }
        visit(document.value, .root)
        return out.mapValues(\.path)
    }

    /// `spec.children[0].template.spec.x` -> `spec.resources[1].template.spec.x`, by the longest
    /// prefix known; a path with no known prefix is returned as the rule's path.
    static func kroPath(for tendPath: String, paths: [(tend: String, kro: String)]) -> String {
        let best = paths.filter { tendPath == $0.tend || tendPath.hasPrefix($0.tend + ".") || tendPath.hasPrefix($0.tend + "[") }
            .max { $0.tend.count < $1.tend.count }
        guard let best else { return "(rule) " + tendPath }
        return best.kro + tendPath.dropFirst(best.tend.count)
    }
}
