/// Values of the library types that are not part of CEL's core: the Kubernetes `url()`, `ip()`,
/// `cidr()` and `quantity()` results. Each is immutable and compares by value.
public enum CELOpaque: Sendable, Hashable, CustomStringConvertible {
    case url(CELURL)
    case ip(CELIPAddress)
    case cidr(CELCIDR)
    case quantity(CELQuantity)

    /// The CEL type of the value.
    var celType: CELType {
        switch self {
        case .url: .url
        case .ip: .ip
        case .cidr: .cidr
        case .quantity: .quantity
        }
    }

    /// The string form (`string(x)` and interpolation).
    public var description: String {
        switch self {
        case .url(let u): u.text
        case .ip(let a): a.description
        case .cidr(let c): c.description
        case .quantity(let q): q.description
        }
    }

    /// The value written as a CEL expression that builds it (`ip("10.0.0.1")`), for messages.
    var celLiteral: String {
        switch self {
        case .url(let u): "url(\(quoteString(u.text)))"
        case .ip(let a): "ip(\(quoteString(a.description)))"
        case .cidr(let c): "cidr(\(quoteString(c.description)))"
        case .quantity(let q): "quantity(\(quoteString(q.description)))"
        }
    }
}
