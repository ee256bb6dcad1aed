/// An ordered list of HTTP header fields with case-insensitive name lookup.
///
/// Order and duplicates are preserved (a response may carry a name several times, e.g.
/// `Warning`). Values of credential-bearing fields (`Authorization`, `Proxy-Authorization`,
/// `Cookie`, `Set-Cookie`) are redacted in ``description``.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    /// One header field.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of the field `name` (compared case-insensitively), or nil.
    /// Setting replaces every field of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            if let newValue {
                if let i = fields.firstIndex(where: { Self.sameName($0.name, name) }) {
                    fields[i].value = newValue
                    var j = fields.count - 1
                    while j > i {
                        if Self.sameName(fields[j].name, name) { fields.remove(at: j) }
                        j -= 1
                    }
                } else {
                    fields.append(Field(name: name, value: newValue))
                }
            } else {
                remove(name)
            }
        }
    }

    /// Every value of the field `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.sameName($0.name, name) }
    }

    /// Appends a field, keeping existing fields of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// Appends folded continuation text to the last field's value (obsolete line folding).
    mutating func continueLastValue(_ more: String) {
        guard let last = fields.indices.last else { return }
        fields[last].value = fields[last].value.isEmpty ? more : fields[last].value + " " + more
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var description: String {
        let parts = fields.map { field in
            "\(field.name): \(Self.isSensitive(field.name) ? "<redacted>" : field.value)"
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// Names whose values carry credentials and must never be printed.
    static func isSensitive(_ name: String) -> Bool {
        sameName(name, "authorization") || sameName(name, "proxy-authorization")
            || sameName(name, "cookie") || sameName(name, "set-cookie")
    }

    /// ASCII case-insensitive comparison (header names are ASCII tokens).
    static func sameName(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            let lp = (p >= 0x41 && p <= 0x5A) ? p | 0x20 : p
            let lq = (q >= 0x41 && q <= 0x5A) ? q | 0x20 : q
            if lp != lq { return false }
        }
        return true
    }
}
