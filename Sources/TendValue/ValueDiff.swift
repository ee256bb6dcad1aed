/// The structural differences between two values, field by field.
///
/// Objects are compared key by key; arrays element by element by index (an array that grew or
/// shrank reports the extra elements as added or removed). Equal subtrees produce nothing, so an
/// empty result means the values are equal.
public enum ValueDiff {
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable { case added, removed, changed }
        public var kind: Kind
        public var path: FieldPath
        public var old: Value?
        public var new: Value?

        public var description: String {
            switch kind {
            case .added: "+ \(path): \(JSON.serialize(new ?? .null))"
            case .removed: "- \(path): \(JSON.serialize(old ?? .null))"
            case .changed: "~ \(path): \(JSON.serialize(old ?? .null)) -> \(JSON.serialize(new ?? .null))"
            }
        }
    }

    /// Every leaf-most change that turns `old` into `new`, in document order.
    public static func changes(from old: Value, to new: Value) -> [Change] {
        var out: [Change] = []
        collect(old, new, path: .root, into: &out)
        return out
    }

    private static func collect(_ old: Value, _ new: Value, path: FieldPath, into out: inout [Change]) {
        if old == new { return }
        switch (old, new) {
        case (.object(let a), .object(let b)):
            for (k, v) in a {
                if let w = b[k] {
                    collect(v, w, path: path.appending(key: k), into: &out)
                } else {
                    out.append(Change(kind: .removed, path: path.appending(key: k), old: v, new: nil))
                }
            }
            for (k, w) in b where a[k] == nil {
                out.append(Change(kind: .added, path: path.appending(key: k), old: nil, new: w))
            }
        case (.array(let a), .array(let b)):
            for n in 0..<max(a.count, b.count) {
                let p = path.appending(index: n)
                if n >= b.count {
                    out.append(Change(kind: .removed, path: p, old: a[n], new: nil))
                } else if n >= a.count {
                    out.append(Change(kind: .added, path: p, old: nil, new: b[n]))
                } else {
                    collect(a[n], b[n], path: p, into: &out)
                }
            }
        default:
            out.append(Change(kind: .changed, path: path, old: old, new: new))
        }
    }
}
