#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about where output goes: colour only on a terminal, and never when `NO_COLOR` is set.
enum Terminal {
    static func isTTY(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// Whether to colour output written to `fd`.
    static func useColor(_ fd: Int32) -> Bool {
        if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isTTY(fd)
    }

    static func writeStdout(_ s: String) { write(1, s) }
    static func writeStderr(_ s: String) { write(2, s) }

    /// Writes all of `s` to file descriptor `fd`, retrying short writes and EINTR.
    static func write(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                #if canImport(Glibc)
                    let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                #else
                    let n = Darwin.write(fd, buf.baseAddress! + offset, buf.count - offset)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

/// `--output` formats for commands a machine may read.
enum OutputFormat: String, CaseIterable, Sendable {
    case text, json
}
