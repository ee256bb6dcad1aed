internal import CCurl

/// Easy-handle option setup for one request: protocol, TLS, auth, method and body, callbacks.
extension CurlTransfer {
    func configure(_ configuration: HTTPClient.Configuration) throws(HTTPError) {
        let request = spec.request
        try validate(request)

        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeRawPointer(errorBuffer))
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        // The proxy decision is HTTPProxy's (kubectl's rules); an empty string turns off libcurl's
        // own reading of *_proxy, and an empty NOPROXY its reading of no_proxy.
        try set(CURLOPT_PROXY, configuration.proxy.proxy(for: request.url) ?? "")
        try set(CURLOPT_NOPROXY, "")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_USERAGENT, configuration.userAgent)
        try set(CURLOPT_HTTP_VERSION, configuration.httpVersion == .http1_1
            ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS)
        // Waiting for a connection to multiplex on only makes sense where HTTP/2 can be negotiated
        // (TLS, HTTP/2 preferred). Over cleartext HTTP/1.1 (a `kubectl proxy`, say) it would hold
        // each new request back while another connection is being opened, one at a time.
        let multiplexable = configuration.httpVersion != .http1_1 && request.url.lowercased().hasPrefix("https://")
        try set(CURLOPT_PIPEWAIT, multiplexable ? 1 : 0)
        try set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(configuration.connectTimeout.milliseconds)))
        let total = request.timeout ?? (isStream ? nil : configuration.requestTimeout)
        if let total { try set(CURLOPT_TIMEOUT_MS, max(1, Int(total.milliseconds))) }
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_TCP_KEEPIDLE, 30)
        try set(CURLOPT_TCP_KEEPINTVL, 10)
        if request.acceptCompressed { try set(CURLOPT_ACCEPT_ENCODING, "") }

        try configureTLS(configuration)
        try configureURL(request.url, tlsServerName: configuration.tlsServerName)
        try configureMethodAndBody(request)
        try configureHeaders(request, token: configuration.bearerToken)

        let user = Unmanaged.passUnretained(self).toOpaque()
        try check(tend_curl_easy_setopt_header(easy) { data, size, count, user in
            guard let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            return transfer.onHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }, "HEADERFUNCTION")
        try set(CURLOPT_HEADERDATA, pointer: UnsafeRawPointer(user))
        try check(tend_curl_easy_setopt_write(easy) { data, size, count, user in
            guard let user else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            return transfer.onWrite(UnsafeRawBufferPointer(start: data, count: size * count))
        }, "WRITEFUNCTION")
        try set(CURLOPT_WRITEDATA, pointer: UnsafeRawPointer(user))
    }

    private func validate(_ request: HTTPRequest) throws(HTTPError) {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw spec.error(.invalidRequest, "URL must be absolute http or https")
        }
        let badURL = request.url.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        if badURL { throw spec.error(.invalidRequest, "URL contains spaces or control characters") }
        let token = request.method.rawValue.utf8
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw spec.error(.invalidRequest, "invalid method")
        }
        for field in request.headers {
            let bad = field.name.isEmpty || field.name.utf8.contains { $0 <= 0x20 || $0 == 0x3A || $0 == 0x7F }
                || field.value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
            if bad { throw spec.error(.invalidRequest, "invalid header field \(field.name)") }
        }
    }

    private func configureTLS(_ configuration: HTTPClient.Configuration) throws(HTTPError) {
        if configuration.insecureSkipTLSVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try set(CURLOPT_SSL_VERIFYPEER, 1)
            try set(CURLOPT_SSL_VERIFYHOST, 2)
        }
        switch configuration.certificateAuthority {
        case nil:
            break
        case .file(let path):
            try set(CURLOPT_CAINFO, path)
            try set(CURLOPT_CAPATH, pointer: nil)
            // Re-read the file at each new connection (CA rotation); libcurl caches it for 24 h by default.
            try set(CURLOPT_CA_CACHE_TIMEOUT, 0)
        case .pem(let bytes):
            try set(CURLOPT_CAINFO, pointer: nil)
            try set(CURLOPT_CAPATH, pointer: nil)
            try setBlob(CURLOPT_CAINFO_BLOB, bytes)
        }
        switch configuration.clientCertificate {
        case nil:
            break
        case .files(let certificate, let key):
            try set(CURLOPT_SSLCERT, certificate)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
            try set(CURLOPT_SSLKEY, key)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        case .pem(let certificate, let key):
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
            try setBlob(CURLOPT_SSLKEY_BLOB, key)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        }
    }

    /// Sets the URL; with a TLS server name, the URL's host becomes that name and
    /// `CURLOPT_CONNECT_TO` sends the connection to the original host and port.
    private func configureURL(_ url: String, tlsServerName: String?) throws(HTTPError) {
        guard let tlsServerName, url.lowercased().hasPrefix("https://") else {
            try set(CURLOPT_URL, url)
            return
        }
        guard let parts = CurlURL.rewriteHost(url, to: tlsServerName) else {
            throw spec.error(.invalidRequest, "cannot parse URL")
        }
        try set(CURLOPT_URL, parts.url)
        connectToList = curl_slist_append(nil, "\(tlsServerName):\(parts.port):\(parts.host):\(parts.port)")
        try check(tend_curl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectToList), "CONNECT_TO")
    }

    private func configureMethodAndBody(_ request: HTTPRequest) throws(HTTPError) {
        switch request.method {
        case .get where request.body == nil:
            try set(CURLOPT_HTTPGET, 1)
        case .head:
            try set(CURLOPT_NOBODY, 1)
        case .post where request.body == nil:
            try set(CURLOPT_POST, 1)
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: 0)
            try set(CURLOPT_COPYPOSTFIELDS, "")
        default:
            if request.method != .post { try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
        }
        if let body = request.body {
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
            if body.isEmpty {
                try set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                let code = body.withUnsafeBytes { tend_curl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
                try check(code, "COPYPOSTFIELDS")
            }
        }
    }

    private func configureHeaders(_ request: HTTPRequest, token: BearerToken?) throws(HTTPError) {
        var lines: [String] = []
        for field in request.headers {
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if let token, !request.headers.contains("Authorization") {
            lines.append("Authorization: Bearer \(token.value)")
        }
        if request.body != nil && !request.headers.contains("Content-Type") {
            lines.append("Content-Type: application/octet-stream")
        }
        if !request.headers.contains("Expect") { lines.append("Expect:") }  // no 100-continue round trip
        for line in lines {
            guard let list = curl_slist_append(headerList, line) else {
                throw spec.error(.transport, "out of memory building headers")
            }
            headerList = list
        }
        try check(tend_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
    }

    // MARK: Typed setopt helpers

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(tend_curl_easy_setopt_long(easy, option, value), option)
    }

    private func set(_ option: CURLoption, offset value: Int64) throws(HTTPError) {
        try check(tend_curl_easy_setopt_off(easy, option, curl_off_t(value)), option)
    }

    private func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(tend_curl_easy_setopt_str(easy, option, value), option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeRawPointer?) throws(HTTPError) {
        try check(tend_curl_easy_setopt_ptr(easy, option, pointer), option)
    }

    /// libcurl copies the blob (`CURL_BLOB_COPY`), so the bytes need not outlive the call.
    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) throws(HTTPError) {
        var copy = bytes
        let code = copy.withUnsafeMutableBytes { raw in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            return tend_curl_easy_setopt_blob(easy, option, &blob)
        }
        try check(code, option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPError) {
        try check(code, "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw spec.error(code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN ? .transport : .invalidRequest,
                             "setting \(what): \(text)", curlCode: Int(code.rawValue))
        }
    }
}
