/// JSON (RFC 8259) to and from ``Value``.
///
/// Parsing is strict: one value, optional surrounding whitespace, no trailing commas, no comments,
/// no NaN or Infinity, valid UTF-8, control characters escaped inside strings. Integers that fit
/// in Int64 become `.int` exactly; anything with a fraction or exponent, or an integer beyond
/// Int64, becomes `.double` (correctly rounded). Duplicate object keys keep the last value, at the
/// position of the first occurrence, as Go's encoding/json does. Nesting is limited to
/// ``maximumDepth`` levels so hostile input cannot exhaust the stack.
public enum JSON {
    /// The deepest nesting of arrays and objects accepted by the parser.
    public static let maximumDepth = 512

    /// Parses one JSON document.
    public static func parse(_ text: String, options: ParseOptions = ParseOptions()) throws(JSONError) -> Value {
        var text = text
        let result: Result<Value, JSONError> = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> Value in try parse(bytes: UnsafeRawBufferPointer(buffer), options: options) }
        }
        return try result.get()
    }

    /// Parses one JSON document from raw bytes (UTF-8).
    public static func parse(_ bytes: [UInt8], options: ParseOptions = ParseOptions()) throws(JSONError) -> Value {
        let result: Result<Value, JSONError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONError) -> Value in try parse(bytes: buffer, options: options) }
        }
        return try result.get()
    }

    /// Parses one JSON document from a byte buffer that stays valid for the duration of the call.
    public static func parse(bytes: UnsafeRawBufferPointer, options: ParseOptions = ParseOptions()) throws(JSONError) -> Value {
        var parser = JSONParser(bytes)
        return try parser.parseDocument(rootRole: JSONParser.Role(options))
    }

    /// How `parse` builds its result; the default builds every value.
    public struct ParseOptions: Sendable, Hashable {
        /// Where the Kubernetes objects are whose `metadata.managedFields` is skipped.
        public enum ObjectPosition: Sendable, Hashable {
            /// The document is the object (a get).
            case document
            /// The document is a watch event: the object is its `object` member.
            case watchEvent
            /// The document is a list: the objects are the elements of its `items` member.
            case listItems
        }

        /// When set, `metadata.managedFields` of the objects at this position is checked like any other
        /// value (a malformed one is an error at the same place) but left out of the result, as if
        /// removed after parsing. `managedFields` anywhere else (another nesting, outside `metadata`)
        /// is kept. For readers that drop it anyway, like the informer cache: it is often a fifth of
        /// an object's bytes and made of many small objects and strings.
        public var skipsManagedFields: ObjectPosition?

        public init(skipsManagedFields: ObjectPosition? = nil) {
            self.skipsManagedFields = skipsManagedFields
        }

        /// Skips `metadata.managedFields` of the objects at `position`.
        public static func skippingManagedFields(of position: ObjectPosition) -> ParseOptions {
            ParseOptions(skipsManagedFields: position)
        }
    }

    /// Serializes `value` as compact JSON (no whitespace), keys in stored order.
    public static func serialize(_ value: Value, options: SerializationOptions = []) -> String {
        var writer = JSONWriter(options: options)
        writer.write(value, depth: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Serializes `value` as UTF-8 bytes.
    public static func serializeBytes(_ value: Value, options: SerializationOptions = []) -> [UInt8] {
        var writer = JSONWriter(options: options)
        writer.write(value, depth: 0)
        return writer.bytes
    }

    public struct SerializationOptions: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Two-space indentation and one member per line.
        public static let prettyPrinted = SerializationOptions(rawValue: 1)
        /// Keys in byte order instead of stored order (canonical output for hashing and golden files).
        public static let sortedKeys = SerializationOptions(rawValue: 2)
        /// Every `.double` with a fraction or an exponent (`1000.0`, not `1000`), so that parsing the
        /// output gives back exactly the value written (`.double` stays `.double`). For storage that
        /// must round-trip (the informer store's compact objects), not for the API server.
        package static let exactNumbers = SerializationOptions(rawValue: 4)
    }
}
