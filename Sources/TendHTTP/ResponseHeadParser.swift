/// Parses the response head as libcurl hands it over: one raw line per header callback
/// (status line, fields, the empty line that ends the block), CRLF included.
///
/// Interim `1xx` blocks (e.g. `100 Continue`) are discarded: a new status line starts a new
/// block. Obsolete line folding (a line starting with space or tab) continues the previous
/// value. Lines without a colon are ignored. Pure; used on the curl thread.
struct ResponseHeadParser: Sendable {
    enum Event: Equatable {
        /// More lines expected.
        case partial
        /// The final (non-1xx) head is complete: `status`, `version` and `headers` are valid.
        case complete
    }

    private(set) var status: Int = 0
    private(set) var version: HTTPVersion = .unknown
    private(set) var headers = HTTPHeaders()
    private(set) var isComplete = false

    mutating func consume(_ raw: some Collection<UInt8>) -> Event {
        var bytes = Array(raw)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        if isComplete {
            return .complete  // trailers after the head: ignored
        }
        if bytes.isEmpty {
            if status >= 200 || (status > 0 && status < 100) {
                isComplete = true
                return .complete
            }
            return .partial  // end of an interim 1xx block (or stray empty line)
        }
        if bytes.starts(with: Array("HTTP/".utf8)) {
            parseStatusLine(bytes)
            return .partial
        }
        if bytes.first == 0x20 || bytes.first == 0x09 {
            headers.continueLastValue(String(decoding: bytes, as: UTF8.self).trimmingSpaces())
            return .partial
        }
        guard let colon = bytes.firstIndex(of: 0x3A) else { return .partial }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).trimmingSpaces()
        let value = String(decoding: bytes[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        if !name.isEmpty { headers.add(name, value) }
        return .partial
    }

    private mutating func parseStatusLine(_ bytes: [UInt8]) {
        headers = HTTPHeaders()
        let parts = bytes.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        version = parts.first.map { HTTPVersion(statusLineToken: String(decoding: $0, as: UTF8.self)) } ?? .unknown
        status = parts.count > 1 ? Int(String(decoding: parts[1], as: UTF8.self)) ?? 0 : 0
    }
}

extension String {
    /// Drops leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
