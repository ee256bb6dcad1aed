import TendMeta

/// Percent-encoding for request URLs.
///
/// Path segments and query values are encoded byte-wise from UTF-8: only RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) pass through, so a name, selector or continue token can
/// never change the shape of the URL (`/`, `?`, `&`, `=`, `+`, `%`, spaces are all escaped).
enum URLEncoding {
    static func encode(_ s: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `?a=1&b=2` (empty string for no items), values encoded, order kept.
    static func query(_ items: [(String, String)]) -> String {
        if items.isEmpty { return "" }
        return "?" + items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

/// The URL path of a resource, a collection or an object, its segments encoded.
struct ResourcePath: Sendable, Hashable {
    var groupVersion: GroupVersion
    var resource: String
    var namespace: String?
    var name: String?
    var subresource: String?

    /// `/api/v1/namespaces/ns/configmaps/name/status` and its shorter forms.
    var path: String {
        var p = groupVersion.group.isEmpty
            ? "/api/\(URLEncoding.encode(groupVersion.version))"
            : "/apis/\(URLEncoding.encode(groupVersion.group))/\(URLEncoding.encode(groupVersion.version))"
        if let namespace, !namespace.isEmpty { p += "/namespaces/\(URLEncoding.encode(namespace))" }
        p += "/\(URLEncoding.encode(resource))"
        if let name { p += "/\(URLEncoding.encode(name))" }
        if let subresource { p += "/\(URLEncoding.encode(subresource))" }
        return p
    }
}
