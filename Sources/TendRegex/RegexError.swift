/// Why a pattern did not compile or a match could not complete.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String { case invalidPattern, matchLimitExceeded, matchFailed, resourceExhausted }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The pattern is not a valid regular expression.
        public static let invalidPattern = Code(.invalidPattern)
        /// Matching exceeded PCRE2's backtracking or depth limit (pathological pattern and input).
        public static let matchLimitExceeded = Code(.matchLimitExceeded)
        /// Any other failure reported by PCRE2 during a match.
        public static let matchFailed = Code(.matchFailed)
        /// Memory for match data could not be allocated.
        public static let resourceExhausted = Code(.resourceExhausted)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The pattern concerned.
    public var pattern: String
    /// For ``Code/invalidPattern``: 0-based offset in Unicode scalars into the pattern where the error was found.
    public var offset: Int
    /// PCRE2's message, e.g. "missing closing parenthesis".
    public var message: String

    public var description: String {
        code == .invalidPattern
            ? "invalid regular expression at offset \(offset): \(message)"
            : "regular expression /\(pattern)/: \(message)"
    }
}
