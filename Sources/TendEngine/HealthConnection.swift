/// One connection of the ``HealthServer``, as a pure state machine: it collects a request head,
/// is given one response, and hands out the bytes still to write. The server's loop does the
/// socket I/O and asks it what to wait for; nothing here touches a file descriptor or a clock.
///
/// A connection lives at most ``HealthServer/Limits/requestTimeout`` before its request is
/// complete (an idle or slow client is dropped then), and at most
/// ``HealthServer/Limits/responseTimeout`` while its response is written (a client that stops
/// reading is dropped then). One request per connection; the response says `Connection: close`.
struct HealthConnection {
    enum Phase: Equatable {
        /// Waiting for the end of the request head (an empty line).
        case reading
        /// Writing the response.
        case writing
        /// Finished, failed or expired: the server closes the socket.
        case closed
    }

    /// A parsed request line.
    struct Request: Equatable {
        var method: String
        /// The path without its query string.
        var path: String
        /// The query string (after `?`), empty when none.
        var query: String
    }

    private(set) var phase = Phase.reading
    /// When the current phase must be over.
    private(set) var deadline: ContinuousClock.Instant
    private var head: [UInt8] = []
    private var response: [UInt8] = []
    private var written = 0
    private let limits: HealthServer.Limits

    init(accepted now: ContinuousClock.Instant, limits: HealthServer.Limits) {
        self.limits = limits
        deadline = now + limits.requestTimeout
    }

    /// Whether the request is still being read (such a connection may be dropped to make room).
    var isReading: Bool { phase == .reading }

    /// Bytes received. Returns the request once its head is complete; a head larger than
    /// ``HealthServer/Limits/maximumRequestHead`` or an empty read (the peer closed) closes the connection.
    mutating func receive(_ bytes: some Collection<UInt8>) -> Request? {
        guard phase == .reading else { return nil }
        guard !bytes.isEmpty else {
            phase = .closed
            return nil
        }
        head.append(contentsOf: bytes)
        guard let end = Self.endOfHead(head) else {
            if head.count > limits.maximumRequestHead { phase = .closed }
            return nil
        }
        let line = head[..<end].split(separator: UInt8(ascii: "\n"), maxSplits: 1).first ?? []
        let parts = String(decoding: line, as: UTF8.self).trimmingSuffix("\r").split(separator: " ")
        let target = parts.count >= 2 ? parts[1] : ""
        let question = target.firstIndex(of: "?")
        return Request(
            method: parts.first.map(String.init) ?? "", path: String(target[..<(question ?? target.endIndex)]),
            query: question.map { String(target[target.index(after: $0)...]) } ?? "")
    }

    /// The response to write; starts the write phase and its deadline.
    mutating func respond(_ bytes: [UInt8], now: ContinuousClock.Instant) {
        guard phase == .reading else { return }
        response = bytes
        written = 0
        phase = .writing
        deadline = now + limits.responseTimeout
    }

    /// What is left to write.
    var pending: ArraySlice<UInt8> { phase == .writing ? response[written...] : [] }

    /// `count` bytes were written; the connection closes after the last one.
    mutating func wrote(_ count: Int) {
        guard phase == .writing else { return }
        written = min(response.count, written + max(0, count))
        if written == response.count { phase = .closed }
    }

    /// The socket failed (or the peer reset it): close.
    mutating func fail() { phase = .closed }

    /// Closes the connection when its phase has outlived its deadline; returns whether it did.
    mutating func expire(now: ContinuousClock.Instant) -> Bool {
        guard phase != .closed, now >= deadline else { return false }
        phase = .closed
        return true
    }

    /// The index just past the blank line ending a request head (`\r\n\r\n` or `\n\n`), if any.
    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = 0
        while i < bytes.count {
            if bytes[i] == newline {
                var j = i + 1
                if j < bytes.count, bytes[j] == cr { j += 1 }
                if j < bytes.count, bytes[j] == newline { return j + 1 }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : self[...]
    }
}
