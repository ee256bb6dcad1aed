internal import CYAML

/// A position from libyaml: 0-based; `index` and `column` count characters (Unicode scalars).
struct YAMLMark {
    var index: Int
    var line: Int
    var column: Int
}

/// One parse event, copied out of libyaml's structures (no C types beyond this file).
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias, scalar, sequenceStart, sequenceEnd, mappingStart, mappingEnd
    }

    var kind: Kind
    var start: YAMLMark
    var end: YAMLMark
    /// The node's `&anchor`, or for an alias the anchor it refers to.
    var anchor: String? = nil
    /// The node's resolved tag (`tag:yaml.org,2002:str` for `!!str`), if written.
    var tag: String? = nil
    /// Scalar content.
    var value: String = ""
    /// Scalar style, or block/flow style for collection starts.
    var style: YAMLNodeStyle = .plain
    /// For scalars: whether the tag may be omitted for plain style (true for untagged plain scalars).
    var plainImplicit: Bool = false
}

/// A failure reported by libyaml itself.
struct LibYAMLFailure: Error {
    enum Stage { case reader, scanner, parser, memory }
    var stage: Stage
    var problem: String
    var context: String?
    var problemMark: YAMLMark
    var contextMark: YAMLMark?
    /// For reader errors: the byte offset of the problem and the offending byte or code point.
    var byteOffset: Int
    var problemValue: Int
}

/// A libyaml event parser over a byte buffer the caller keeps alive for the parser's lifetime.
///
/// One instance per parse; instances are independent, so parsing on several threads at once is fine.
struct LibYAMLEventParser: ~Copyable {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private var event = yaml_event_t()
    private var failed = false

    /// - Precondition: `input` is non-empty and outlives this parser.
    init(input: UnsafeBufferPointer<UInt8>) {
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        _ = yaml_parser_initialize(parser)
        if let base = input.baseAddress {
            yaml_parser_set_input_string(parser, base, input.count)
        }
        yaml_parser_set_encoding(parser, YAML_ANY_ENCODING)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deinitialize(count: 1)
        parser.deallocate()
    }

    /// The next event, or the failure that stops the parse. Not to be called again after a failure
    /// or after `.streamEnd`.
    mutating func next() -> Result<YAMLEvent, LibYAMLFailure> {
        guard !failed, yaml_parser_parse(parser, &event) == 1 else {
            failed = true
            return .failure(failure())
        }
        defer { yaml_event_delete(&event) }
        return .success(convert(event))
    }

    private func convert(_ e: yaml_event_t) -> YAMLEvent {
        let start = Self.mark(e.start_mark)
        let end = Self.mark(e.end_mark)
        switch e.type {
        case YAML_STREAM_START_EVENT: return YAMLEvent(kind: .streamStart, start: start, end: end)
        case YAML_STREAM_END_EVENT: return YAMLEvent(kind: .streamEnd, start: start, end: end)
        case YAML_DOCUMENT_START_EVENT: return YAMLEvent(kind: .documentStart, start: start, end: end)
        case YAML_DOCUMENT_END_EVENT: return YAMLEvent(kind: .documentEnd, start: start, end: end)
        case YAML_ALIAS_EVENT:
            return YAMLEvent(kind: .alias, start: start, end: end, anchor: Self.string(e.data.alias.anchor))
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            let value: String =
                if let p = s.value, s.length > 0 {
                    String(decoding: UnsafeBufferPointer(start: p, count: s.length), as: UTF8.self)
                } else { "" }
            let style: YAMLNodeStyle =
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            return YAMLEvent(
                kind: .scalar, start: start, end: end, anchor: Self.string(s.anchor), tag: Self.string(s.tag),
                value: value, style: style, plainImplicit: s.plain_implicit != 0)
        case YAML_SEQUENCE_START_EVENT:
            let s = e.data.sequence_start
            return YAMLEvent(
                kind: .sequenceStart, start: start, end: end, anchor: Self.string(s.anchor),
                tag: Self.string(s.tag), style: s.style == YAML_FLOW_SEQUENCE_STYLE ? .flowSequence : .blockSequence)
        case YAML_SEQUENCE_END_EVENT: return YAMLEvent(kind: .sequenceEnd, start: start, end: end)
        case YAML_MAPPING_START_EVENT:
            let s = e.data.mapping_start
            return YAMLEvent(
                kind: .mappingStart, start: start, end: end, anchor: Self.string(s.anchor),
                tag: Self.string(s.tag), style: s.style == YAML_FLOW_MAPPING_STYLE ? .flowMapping : .blockMapping)
        case YAML_MAPPING_END_EVENT: return YAMLEvent(kind: .mappingEnd, start: start, end: end)
        default: return YAMLEvent(kind: .streamEnd, start: start, end: end)
        }
    }

    private func failure() -> LibYAMLFailure {
        let p = parser.pointee
        let stage: LibYAMLFailure.Stage =
            switch p.error {
            case YAML_READER_ERROR: .reader
            case YAML_SCANNER_ERROR: .scanner
            case YAML_PARSER_ERROR: .parser
            default: .memory
            }
        let problem = p.problem.map { String(cString: $0) } ?? "unknown YAML error"
        let context = p.context.map { String(cString: $0) }
        return LibYAMLFailure(
            stage: stage, problem: problem, context: context, problemMark: Self.mark(p.problem_mark),
            contextMark: context == nil ? nil : Self.mark(p.context_mark), byteOffset: p.problem_offset,
            problemValue: Int(p.problem_value))
    }

    private static func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(index: m.index, line: m.line, column: m.column)
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }
}
