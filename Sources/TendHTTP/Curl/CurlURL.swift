internal import CCurl

/// URL surgery with libcurl's own parser (so the result is exactly what libcurl will use).
enum CurlURL {
    /// Replaces the host of `url` with `newHost`; returns the new URL and the original host and
    /// (effective) port, or nil when libcurl cannot parse the URL.
    static func rewriteHost(_ url: String, to newHost: String) -> (url: String, host: String, port: String)? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK,
              let host = get(handle, CURLUPART_HOST, flags: 0),
              let port = get(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)),
              curl_url_set(handle, CURLUPART_HOST, newHost, 0) == CURLUE_OK,
              let rewritten = get(handle, CURLUPART_URL, flags: 0)
        else { return nil }
        return (rewritten, host, port)
    }

    private static func get(_ handle: OpaquePointer, _ part: CURLUPart, flags: UInt32) -> String? {
        var out: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &out, flags) == CURLUE_OK, let out else { return nil }
        defer { curl_free(out) }
        return String(cString: out)
    }
}
