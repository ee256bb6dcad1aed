/// Values of the library types that are not part of CEL's core: the Kubernetes `url()`, `ip()`,
/// `cidr()` and `quantity()` results. Each is immutable and compares by value.
public enum CELOpaque: Sendable, Hashable, CustomStringConvertible {
    /// The CEL type of the value.
    var celType: CELType {
        switch self {}
    }

    /// The string form (`string(x)` and interpolation).
    public var description: String {
        switch self {}
    }

    /// The value written as a CEL expression that builds it (`ip("10.0.0.1")`), for messages.
    var celLiteral: String {
        switch self {}
    }
}
