extension Value {
    /// Deep merge: objects merge key by key, recursively; any other value in `overlay` replaces the
    /// value here (arrays are replaced whole, as in Helm values and kustomize patches of scalars).
    /// Keys keep their position in `self`; new keys from `overlay` are appended in its order.
    public func merging(_ overlay: Value) -> Value {
        guard case .object(var base) = self, case .object(let top) = overlay else { return overlay }
        for (k, v) in top {
            if let existing = base[k] {
                base[k] = existing.merging(v)
            } else {
                base[k] = v
            }
        }
        return .object(base)
    }

    /// Applies a JSON merge patch (RFC 7386): objects merge recursively, `null` removes a key, any
    /// other value replaces. The semantics of `kubectl patch --type merge`.
    public func applyingMergePatch(_ patch: Value) -> Value {
        guard case .object(let p) = patch else { return patch }
        var target: Object
        if case .object(let o) = self { target = o } else { target = Object() }
        for (k, v) in p {
            if v.isNull {
                target.removeValue(forKey: k)
            } else {
                target[k] = (target[k] ?? .null).applyingMergePatch(v)
            }
        }
        return .object(target)
    }

    /// The JSON merge patch (RFC 7386) that turns `self` into `target`: changed keys with their new
    /// values, removed keys as `null`. Arrays that differ are carried whole.
    public func mergePatch(to target: Value) -> Value {
        guard case .object(let from) = self, case .object(let to) = target else { return target }
        var patch = Object()
        for (k, v) in to {
            if let old = from[k] {
                if old != v { patch[k] = old.mergePatch(to: v) }
            } else {
                patch[k] = v
            }
        }
        for k in from.keys where to[k] == nil { patch[k] = .null }
        return .object(patch)
    }
}
