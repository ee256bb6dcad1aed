extension Value {
    /// The value at `path`, or nil when any step is missing or of the wrong kind.
    public subscript(path path: FieldPath) -> Value? {
        var current = self
        for c in path.components {
            switch c {
            case .key(let k):
                guard case .object(let o) = current, let next = o[k] else { return nil }
                current = next
            case .index(let n):
                guard case .array(let a) = current, a.indices.contains(n) else { return nil }
                current = a[n]
            }
        }
        return current
    }

    /// Sets the value at `path`, creating missing objects along the way.
    ///
    /// A `.key` step through a null or missing value creates an object; an `.index` step may address
    /// an existing element or append at `count`.
    /// - Throws: ``FieldPathError`` when a step meets a value of the wrong kind or an index is out of range.
    public mutating func set(_ path: FieldPath, to newValue: Value) throws(FieldPathError) {
        // Validate first, so a failing path leaves the value untouched; then mutate in place.
        try validate(path)
        set(path.components[...], to: newValue)
    }

    private func validate(_ path: FieldPath) throws(FieldPathError) {
        var current: Value? = self
        for c in path.components {
            switch (c, current) {
            case (.key(let k), .object(let o)?): current = o[k]
            case (.key, .null?), (.key, nil): current = nil
            case (.key(let k), let other?):
                throw FieldPathError(path: path, message: "cannot set key \"\(k)\" in a \(other.typeName)")
            case (.index(let n), .array(let a)?):
                guard n >= 0, n <= a.count else {
                    throw FieldPathError(path: path, message: "index \(n) out of range (count \(a.count))")
                }
                current = n < a.count ? a[n] : nil
            case (.index(let n), let other):
                throw FieldPathError(path: path, message: "cannot index [\(n)] into a \(other?.typeName ?? "missing value")")
            }
        }
    }

    /// Mutates along a path already checked by `validate`.
    private mutating func set(_ rest: ArraySlice<FieldPath.Component>, to newValue: Value) {
        guard let first = rest.first else {
            self = newValue
            return
        }
        switch (first, self) {
        case (.key(let k), .object(var o)):
            self = .null  // keep `o` uniquely referenced while it is mutated
            var child = o[k] ?? .null
            o[k] = .null
            child.set(rest.dropFirst(), to: newValue)
            o[k] = child
            self = .object(o)
        case (.key(let k), _):
            var child = Value.null
            child.set(rest.dropFirst(), to: newValue)
            self = .object(Object([(k, child)]))
        case (.index(let n), .array(var a)):
            self = .null
            if n == a.count { a.append(.null) }
            a[n].set(rest.dropFirst(), to: newValue)
            self = .array(a)
        case (.index, _):
            preconditionFailure("validated path indexes into a non-array")
        }
    }

    /// Removes the value at `path` and returns it; nil when nothing was there.
    @discardableResult
    public mutating func remove(_ path: FieldPath) -> Value? {
        guard let last = path.components.last else {
            defer { self = .null }
            return self
        }
        let parent = FieldPath(Array(path.components.dropLast()))
        guard var container = self[path: parent] else { return nil }
        let removed: Value?
        switch (last, container) {
        case (.key(let k), .object(var o)):
            removed = o.removeValue(forKey: k)
            container = .object(o)
        case (.index(let n), .array(var a)) where a.indices.contains(n):
            removed = a.remove(at: n)
            container = .array(a)
        default:
            return nil
        }
        try? set(parent, to: container)
        return removed
    }
}

/// A ``FieldPath`` could not be applied to a value.
public struct FieldPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String
    public var description: String { "\(path): \(message)" }
}
