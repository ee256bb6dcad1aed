internal import CPCRE2

/// A compiled PCRE2 regular expression: compile once, match many times, from any thread.
///
/// The compiled pattern is immutable after `init` and shared by every caller; each match uses its
/// own match data, so concurrent matches never contend. Patterns are compiled in UTF mode (`.`
/// matches one Unicode scalar) and JIT-compiled when the platform supports it.
///
/// Matching is bounded: a pattern that backtracks catastrophically on some input stops at PCRE2's
/// match and depth limits and reports ``RegexError/Code/matchLimitExceeded`` instead of hanging the
/// engine, so a hostile object name cannot stall a reconciler.
public final class Regex: Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// Whether the pattern was JIT-compiled.
    public let isJITCompiled: Bool
    /// Number of capture groups in the pattern.
    public let captureCount: Int

    private let code: Handle

    /// Compiles `pattern`.
    ///
    /// - Throws: ``RegexError`` naming the offset (0-based, in Unicode scalars) in the pattern where
    ///   compilation failed and PCRE2's message.
    public init(_ pattern: String, options: Options = []) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        var flags = UInt32(PCRE2_UTF)
        if options.contains(.caseInsensitive) { flags |= UInt32(PCRE2_CASELESS) }
        if options.contains(.anchored) { flags |= UInt32(PCRE2_ANCHORED) | UInt32(PCRE2_ENDANCHORED) }
        let compiled = pattern.withCString { cstr in
            cstr.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) { bytes in
                pcre2_compile_8(bytes, pattern.utf8.count, flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            let scalarOffset = Self.scalarOffset(ofByte: errorOffset, in: pattern)
            throw RegexError(
                code: .invalidPattern, pattern: pattern, offset: scalarOffset,
                message: Self.message(for: errorCode))
        }
        code = Handle(compiled)
        isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        var count: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
    }

    public var description: String { "/\(pattern)/" }

    /// Whether the pattern matches anywhere in `subject` (a search, like RE2's `PartialMatch` and
    /// CEL's `matches`; anchor with `^...$` or ``Options/anchored`` for a full match).
    public func matches(_ subject: String) throws(RegexError) -> Bool {
        try firstMatch(in: subject) != nil
    }

    /// The first match in `subject`, or nil.
    public func firstMatch(in subject: String) throws(RegexError) -> Match? {
        var subject = subject
        let original = subject
        let result: Result<Match?, RegexError> = subject.withUTF8 { bytes in
            Result { () throws(RegexError) -> Match? in try match(bytes, original: original) }
        }
        return try result.get()
    }

    private func match(_ bytes: UnsafeBufferPointer<UInt8>, original: String) throws(RegexError) -> Match? {
        guard let data = pcre2_match_data_create_from_pattern_8(code.pointer, nil) else {
            throw RegexError(code: .resourceExhausted, pattern: pattern, offset: 0, message: "out of memory")
        }
        defer { pcre2_match_data_free_8(data) }
        // An empty buffer may have a nil base address; PCRE2 requires a non-null subject pointer.
        let rc: Int32 =
            if let base = bytes.baseAddress {
                pcre2_match_8(code.pointer, base, bytes.count, 0, UInt32(PCRE2_NO_UTF_CHECK), data, nil)
            } else {
                withUnsafePointer(to: UInt8(0)) { empty in
                    pcre2_match_8(code.pointer, empty, 0, 0, 0, data, nil)
                }
            }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 {
            let code: RegexError.Code =
                (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
                ? .matchLimitExceeded : .matchFailed
            throw RegexError(code: code, pattern: pattern, offset: 0, message: Self.message(for: rc))
        }
        let ovector = pcre2_get_ovector_pointer_8(data)!
        let pairs = Int(pcre2_get_ovector_count_8(data))
        var groups: [Range<Int>?] = []
        groups.reserveCapacity(pairs)
        let unset = tend_pcre2_unset()
        for i in 0..<pairs {
            let start = ovector[2 * i]
            let end = ovector[2 * i + 1]
            groups.append(start == unset ? nil : Int(start)..<Int(end))
        }
        return Match(subject: original, byteRanges: groups)
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        guard n > 0 else { return "PCRE2 error \(errorCode)" }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }

    static func scalarOffset(ofByte byteOffset: Int, in s: String) -> Int {
        let utf8 = s.utf8
        let clamped = min(max(0, byteOffset), utf8.count)
        let idx = utf8.index(utf8.startIndex, offsetBy: clamped)
        return s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: idx)
    }
}

extension Regex {
    public struct Options: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Case-insensitive matching.
        public static let caseInsensitive = Options(rawValue: 1)
        /// The whole subject must match (both ends anchored).
        public static let anchored = Options(rawValue: 2)
    }

    /// Owns the compiled code. `pcre2_code` is never mutated after compilation (JIT included),
    /// which PCRE2 documents as safe to share between threads; this is why the box is Sendable.
    final class Handle: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { pcre2_code_free_8(pointer) }
    }
}
