/// Splits a byte stream, delivered in arbitrary chunks, into lines.
///
/// A line ends at `\n`; a `\r` directly before the `\n` is removed too. Empty lines are
/// returned as empty arrays (callers that do not care, such as a watch decoder, skip them).
/// Bytes after the last `\n` stay buffered until more bytes arrive or ``finish()`` hands them
/// out as a final line.
///
/// Cost: each byte is scanned for `\n` once, even when a long line arrives in many chunks
/// (the scan position is remembered), and consumed bytes are compacted away in bulk, so a
/// 10 MB line in 16 KB chunks stays linear. Memory is the unconsumed bytes plus one line.
///
/// Not thread-safe (a value type): one consumer owns it.
struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// Index of the first byte that has not been returned as part of a line.
    private var start = 0
    /// Bytes in `start..<scanned` are known to contain no `\n`.
    private var scanned = 0

    init() {}

    /// Number of buffered bytes that are not yet part of a returned line.
    var pendingByteCount: Int { buffer.count - start }

    /// Appends a chunk of the stream.
    mutating func append(_ bytes: some Collection<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line (without its terminator), or nil when no complete line is buffered.
    mutating func nextLine() -> [UInt8]? {
        let from = max(scanned, start)
        let newline: Int? = buffer.withUnsafeBufferPointer { all in
            var i = from
            while i < all.count {
                if all[i] == 0x0A { return i }
                i += 1
            }
            return nil
        }
        guard let newline else {
            scanned = buffer.count
            return nil
        }
        var end = newline
        if end > start && buffer[end - 1] == 0x0D { end -= 1 }
        let line = Array(buffer[start..<end])
        start = newline + 1
        scanned = start
        return line
    }

    /// Ends the stream: returns the trailing bytes after the last `\n` as a final line (a trailing
    /// `\r` removed), or nil when there are none. The splitter is empty afterwards.
    mutating func finish() -> [UInt8]? {
        defer {
            buffer.removeAll()
            start = 0
            scanned = 0
        }
        guard start < buffer.count else { return nil }
        var end = buffer.count
        if buffer[end - 1] == 0x0D { end -= 1 }
        return Array(buffer[start..<end])
    }

    private mutating func compactIfWorthwhile() {
        if start == 0 { return }
        if start >= buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        } else if start >= 64 * 1024 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
    }
}
