extension Value {
    /// Whether `self` has every field of `part` with the same value, the way the API server's
    /// stored object is compared with what a client wrote: objects key by key (a `null` in `part`
    /// asks for the field's absence), lists of equal length element by element, numbers by value
    /// (`1` includes `1.0`), anything else by equality.
    ///
    /// `a.includes(b) && b.includes(a)` is equality up to number representation and `null` fields.
    public func includes(_ part: Value) -> Bool {
        switch (self, part) {
        case (.object(let whole), .object(let fields)):
            for (key, value) in fields {
                guard let present = whole[key] else {
                    if value.isNull { continue }
                    return false
                }
                if !present.includes(value) { return false }
            }
            return true
        case (.array(let whole), .array(let items)):
            guard whole.count == items.count else { return false }
            for (a, b) in zip(whole, items) where !a.includes(b) { return false }
            return true
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        default: return self == part
        }
    }
}
