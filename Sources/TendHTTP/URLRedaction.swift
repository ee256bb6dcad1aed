/// Makes URLs safe to put into errors and logs.
///
/// Removes user info (`https://user:pass@host` → `https://host`) and replaces the values of
/// query parameters whose names suggest a secret (token, password, secret, key, signature,
/// auth, credential) with `<redacted>`. Everything else (path, label selectors, watch
/// parameters) stays, because it is what makes an error useful.
enum URLRedaction {
    static func redact(_ url: String) -> String {
        var rest = Substring(url)
        var prefix = ""
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            let afterScheme = rest.index(colon, offsetBy: 3)
            prefix = String(rest[..<afterScheme])
            rest = rest[afterScheme...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                rest = rest[rest.index(after: at)...]
            }
        }
        var fragment = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[hash...])
            rest = rest[..<hash]
        }
        guard let q = rest.firstIndex(of: "?") else { return prefix + rest + fragment }
        let path = rest[..<q]
        let query = rest[rest.index(after: q)...]
        let params = query.split(separator: "&", omittingEmptySubsequences: false).map { param -> String in
            guard let eq = param.firstIndex(of: "=") else { return String(param) }
            let name = param[..<eq].lowercased()
            let sensitive = ["token", "password", "passwd", "secret", "key", "signature", "auth", "credential"]
                .contains { name.contains($0) }
            return sensitive ? "\(param[..<eq])=<redacted>" : String(param)
        }
        return prefix + path + "?" + params.joined(separator: "&") + fragment
    }
}
