import TendValue

/// Reading and writing YAML as kubectl does: libyaml for the syntax, go-yaml v2's rules (through
/// sigs.k8s.io/yaml) for the types of plain scalars and for map keys. docs/yaml.md has the details.
///
/// Every function is synchronous, thread-safe and independent of any other call.
public enum YAML {
    /// Parses every document of a YAML stream (documents separated by `---`, optionally ended by `...`).
    ///
    /// An empty stream (only whitespace or comments) has no documents; a document whose content is
    /// empty or `null` is returned with a `.null` value unless `options.skipEmptyDocuments` is set.
    ///
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the name locations and errors carry (as the user wrote it, or `<stdin>`).
    /// - Throws: ``YAMLError`` at the first problem, located in `text`.
    public static func parseDocuments(
        _ text: String, file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> [YAMLDocument] {
        var text = text
        let result: Result<[YAMLDocument], YAMLError> = text.withUTF8 { buffer in
            parse(buffer, file: file, options: options)
        }
        return try result.get()
    }

    /// Parses a YAML stream given as raw bytes (UTF-8, or UTF-16 with a byte order mark).
    ///
    /// Unlike a `String`, bytes may be invalid: invalid UTF-8 is reported as a
    /// ``YAMLError/Kind/encoding`` error at the offending byte.
    public static func parseDocuments(
        bytes: [UInt8], file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> [YAMLDocument] {
        let result: Result<[YAMLDocument], YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            parse(buffer, file: file, options: options)
        }
        return try result.get()
    }

    /// Parses a stream expected to hold one document.
    ///
    /// Empty documents are ignored; a stream with none gives a `.null` document located at 1:1.
    /// - Throws: ``YAMLError`` for a syntax problem, or ``YAMLError/Kind/multipleDocuments`` at the
    ///   start of the second non-empty document.
    public static func parse(
        _ text: String, file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> YAMLDocument {
        var options = options
        options.skipEmptyDocuments = true
        let documents = try parseDocuments(text, file: file, options: options)
        if documents.count > 1 {
            throw YAMLError(
                .multipleDocuments, at: documents[1].location,
                "expected a single YAML document, found \(documents.count)", length: 3)
        }
        return documents.first
            ?? YAMLDocument(
                value: .null, locations: SourceMap(file: file, root: nil),
                location: SourceLocation(file: file, line: 1, column: 1))
    }

    private static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, file: String, options: YAMLParseOptions
    ) -> Result<[YAMLDocument], YAMLError> {
        // libyaml requires a non-null input pointer; an empty stream has no documents anyway.
        guard !buffer.isEmpty else { return .success([]) }
        var builder = DocumentBuilder(file: file, options: options, input: buffer)
        do {
            return .success(try builder.parseStream())
        } catch {
            return .failure(error)
        }
    }
}
