extension Regex {
    /// One match: the whole match and its capture groups, as substrings of the subject.
    public struct Match: Sendable {
        /// The subject the match was found in.
        public let subject: String
        /// Byte ranges (UTF-8 offsets) of group 0 (the whole match) and each capture group; nil for
        /// a group that did not participate.
        public let byteRanges: [Range<Int>?]

        /// The matched text of group `index` (0 is the whole match), or nil when the group did not take part.
        public subscript(index: Int) -> Substring? {
            guard byteRanges.indices.contains(index), let r = byteRanges[index] else { return nil }
            let utf8 = subject.utf8
            let lower = utf8.index(utf8.startIndex, offsetBy: r.lowerBound)
            let upper = utf8.index(utf8.startIndex, offsetBy: r.upperBound)
            return subject[lower..<upper]
        }

        /// The whole match.
        public var text: Substring { self[0] ?? "" }
    }
}
