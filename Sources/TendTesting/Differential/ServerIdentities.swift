import Foundation
import TendMeta
public import TendValue

/// Values the API server assigns that differ between an offline and a live run by construction
/// (uids, a Service's cluster IP), each named after the object it belongs to, so that an object
/// holding one (an `ownerReference`, the `tend.dev/owner-uid` label, a ConfigMap a template
/// filled with a cluster IP) compares equal when it holds the same object's value on each side.
///
/// Built per side from the objects of that side; ``substituted(_:)`` replaces every occurrence in
/// strings, whole or as a token inside a longer string (`http://10.0.0.12`), by the name:
/// `<uid of Namespace payments>`, `<clusterIP of Service team-a/shop>`.
public struct ServerIdentities: Sendable {
    /// (assigned value, its name), longest value first, so a value that contains another is
    /// replaced whole.
    public private(set) var names: [(value: String, name: String)] = []
    /// resourceVersions by value, named after their object: replaced only where an annotation's
    /// whole value equals one (a rule copying a Secret's `metadata.resourceVersion` into a pod
    /// template's annotation), as they are short numbers that other fields hold by coincidence.
    public private(set) var versions: [String: String] = [:]

    public init(objects: [Value]) {
        var names: [String: String] = [:]
        for object in objects {
            guard let kind = object["kind"]?.stringValue, let key = ObjectKey(of: object) else { continue }
            if let uid = object["metadata"]?["uid"]?.stringValue, !uid.isEmpty {
                names[uid] = "<uid of \(kind) \(key)>"
            }
            if let version = object["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty {
                versions[version] = "<resourceVersion of \(kind) \(key)>"
            }
            if object["apiVersion"] == "v1", kind == "Service" {
                let ips = [object["spec"]?["clusterIP"]] + (object["spec"]?["clusterIPs"]?.arrayValue ?? []).map { Optional($0) }
                for case .string(let ip)? in ips where !ip.isEmpty && ip != "None" {
                    names[ip] = "<clusterIP of Service \(key)>"
                }
            }
        }
        self.names = names.sorted { ($0.key.count, $0.key) > ($1.key.count, $1.key) }.map { (value: $0.key, name: $0.value) }
    }

    /// `value` with every annotation value (in any map named `annotations`) that is a resourceVersion
    /// replaced by its name.
    public func substitutingVersionsInAnnotations(_ value: Value) -> Value {
        guard !versions.isEmpty else { return value }
        switch value {
        case .array(let items): return .array(items.map(substitutingVersionsInAnnotations))
        case .object(let o):
            return .object(Value.Object(o.map { key, child in
                guard key == "annotations", case .object(let annotations) = child else { return (key, substitutingVersionsInAnnotations(child)) }
                return (key, .object(Value.Object(annotations.map { k, v in (k, v.stringValue.flatMap { versions[$0] }.map(Value.string) ?? v) })))
            }))
        default: return value
        }
    }

    /// `value` with every assigned value in its strings (keys included) replaced by its name.
    public func substituted(_ value: Value) -> Value {
        guard !names.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(substituted(s))
        case .array(let items): return .array(items.map(substituted))
        case .object(let o): return .object(Value.Object(o.map { (substituted($0.key), substituted($0.value)) }))
        default: return value
        }
    }

    public func substituted(_ string: String) -> String {
        var s = string
        for (value, name) in names where s.contains(value) { s = Self.replacingTokens(value, with: name, in: s) }
        return s
    }

    /// Replaces the occurrences of `token` in `s` that are not part of a longer token: the
    /// characters around it are not letters, digits, `.` or `-` (so `10.0.0.1` is not replaced
    /// inside `10.0.0.12`).
    static func replacingTokens(_ token: String, with replacement: String, in s: String) -> String {
        func isTokenCharacter(_ c: Character?) -> Bool {
            guard let c else { return false }
            return c.isLetter || c.isNumber || c == "." || c == "-"
        }
        var out = ""
        var rest = s[...]
        while let range = rest.range(of: token) {
            let before = range.lowerBound == s.startIndex ? nil : s[s.index(before: range.lowerBound)]
            let after = range.upperBound == s.endIndex ? nil : s[range.upperBound]
            out += rest[..<range.lowerBound]
            out += isTokenCharacter(before) || isTokenCharacter(after) ? String(rest[range]) : replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
