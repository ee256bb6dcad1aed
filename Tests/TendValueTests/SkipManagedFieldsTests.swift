import Testing
import TendFuzzing

@testable import TendValue

/// `JSON.ParseOptions.skipsManagedFields`: the informer's decode leaves `metadata.managedFields`
/// out at parse time. The result must equal parsing in full and removing it; errors must be the
/// same, at the same place.
@Suite struct SkipManagedFieldsTests {
    typealias Position = JSON.ParseOptions.ObjectPosition

    /// The reference: parse everything, then remove `metadata.managedFields` of the objects at `position`.
    static func parsedThenRemoved(_ text: [UInt8], _ position: Position) throws(JSONError) -> Value {
        let full = try JSON.parse(text)
        func drop(_ object: Value) -> Value {
            guard case .object(var o) = object, case .object(var metadata)? = o["metadata"] else { return object }
            guard metadata.removeValue(forKey: "managedFields") != nil else { return object }
            o["metadata"] = .object(metadata)
            return .object(o)
        }
        guard case .object(var document) = full else { return full }
        switch position {
        case .document:
            return drop(full)
        case .watchEvent:
            guard let object = document["object"] else { return full }
            document["object"] = drop(object)
        case .listItems:
            guard case .array(let items)? = document["items"] else { return full }
            document["items"] = .array(items.map(drop))
        }
        return .object(document)
    }

    static func skipped(_ text: [UInt8], _ position: Position) throws(JSONError) -> Value {
        try JSON.parse(text, options: .skippingManagedFields(of: position))
    }

    /// Both parses agree: the same value, or the same error at the same place.
    static func expectSame(_ text: [UInt8], _ position: Position, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let reference = Result { () throws(JSONError) -> Value in try parsedThenRemoved(text, position) }
        let skipping = Result { () throws(JSONError) -> Value in try skipped(text, position) }
        switch (reference, skipping) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(String(decoding: text, as: UTF8.self))", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(String(decoding: text, as: UTF8.self))", sourceLocation: sourceLocation)
        default:
            Issue.record("one parse failed: \(reference) vs \(skipping) for \(String(decoding: text, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    static let podEvent = Array(JSONFuzzSeeds.podEvent.utf8)

    @Test func podEventEqualsParseThenRemove() throws {
        let skipped = try Self.skipped(Self.podEvent, .watchEvent)
        #expect(skipped["object"]?["metadata"]?["managedFields"] == nil)
        #expect(try JSON.parse(Self.podEvent)["object"]?["metadata"]?["managedFields"]?.arrayValue?.count == 2)
        #expect(skipped == (try Self.parsedThenRemoved(Self.podEvent, .watchEvent)))
        // The rest of metadata, in order.
        #expect(skipped["object"]?["metadata"]?.objectValue?.entries.map(\.key) == [
            "name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels", "annotations", "ownerReferences",
        ])
    }

    @Test func listItemsAndDocument() throws {
        let pod = try JSON.parse(JSONFuzzSeeds.podEvent)["object"]!
        let list: Value = [
            "kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "7", "managedFields": "list's own: kept"],
            "items": [pod, ["metadata": ["name": "b", "managedFields": [["manager": "m"]]]], "not an object", ["metadata": "nor this"], pod],
        ]
        let text = JSON.serializeBytes(list)
        let skipped = try Self.skipped(text, .listItems)
        #expect(skipped["metadata"]?["managedFields"] == "list's own: kept")
        #expect(skipped["items"]?.arrayValue?.allSatisfy { $0["metadata"]?["managedFields"] == nil } == true)
        #expect(skipped["items"]?[1] == ["metadata": ["name": "b"]])
        #expect(skipped == (try Self.parsedThenRemoved(text, .listItems)))
        Self.expectSame(JSON.serializeBytes(pod), .document)
        Self.expectSame(JSON.serializeBytes(pod, options: .prettyPrinted), .document)
        Self.expectSame(JSON.serializeBytes(list, options: .prettyPrinted), .listItems)
    }

    /// Only `metadata.managedFields` of the objects at the position goes: not a top-level member,
    /// not one under `spec`, not one of a nested object's metadata (a Pod template's), not the event's.
    @Test func managedFieldsElsewhereIsKept() throws {
        let object: Value = [
            "managedFields": [1], "metadata": ["name": "x", "managedFields": [["manager": "m"]]],
            "spec": ["managedFields": ["a": 1], "template": ["metadata": ["managedFields": [2]]]],
            "status": ["metadata": ["managedFields": 3]], "object": ["metadata": ["managedFields": 4]], "items": [["metadata": ["managedFields": 5]]],
        ]
        var expected = object
        expected["metadata"]?["managedFields"] = nil
        #expect(try Self.skipped(JSON.serializeBytes(object), .document) == expected)
        let event: Value = ["type": "ADDED", "metadata": ["managedFields": 6], "object": object]
        #expect(try Self.skipped(JSON.serializeBytes(event), .watchEvent) == ["type": "ADDED", "metadata": ["managedFields": 6], "object": expected])
        let list: Value = ["metadata": ["managedFields": 7], "object": object, "items": [object, [object]]]
        #expect(try Self.skipped(JSON.serializeBytes(list), .listItems)
            == ["metadata": ["managedFields": 7], "object": object, "items": [expected, [object]]])
        // Another position reads the document differently: as an event, its `object` member is the object.
        var asEvent = object
        asEvent["object"]?["metadata"]?["managedFields"] = nil
        #expect(try Self.skipped(JSON.serializeBytes(object), .watchEvent) == asEvent)
        #expect(try Self.skipped(JSON.serializeBytes(event), .listItems) == event)
        // Without the option everything is kept.
        #expect(try JSON.parse(JSON.serializeBytes(object)) == object)
    }

    @Test func duplicateKeysBehaveAsParseThenRemove() throws {
        let cases = [
            #"{"metadata":{"managedFields":[1],"name":"a","managedFields":[2]}}"#,
            #"{"metadata":{"name":"a","managedFields":[1]},"metadata":{"name":"b"}}"#,
            #"{"metadata":{"name":"a"},"metadata":{"managedFields":[1],"name":"b","name":"c"}}"#,
            #"{"metadata":"x","metadata":{"managedFields":{}}}"#,
            #"{"metadata":{"managedFields":{}},"metadata":"x"}"#,
            // More than 16 members: the duplicate check switches to a dictionary.
            "{\"metadata\":{" + (0..<20).map { "\"k\($0 % 12)\":\($0),\"managedFields\":[\($0)]" }.joined(separator: ",") + "}}",
        ]
        for text in cases {
            Self.expectSame(Array(text.utf8), .document)
            Self.expectSame(Array(#"{"type":"ADDED","object":\#(text)}"#.utf8), .watchEvent)
            Self.expectSame(Array(#"{"items":[\#(text),\#(text)],"items":[\#(text)]}"#.utf8), .listItems)
        }
        let many = try Self.skipped(Array(cases[5].utf8), .document)
        #expect(many["metadata"]?.objectValue?.entries.map(\.key) == (0..<12).map { "k\($0)" })
    }

    /// A malformed managedFields is the same error, at the same offset, line and column.
    @Test(arguments: [
        #"[{"manager":tru}]"#, #"[{"manager":"kube"]"#, #"[{"manager" "kube"}]"#, #"[{"a":1,}]"#, #"[1,]"#, #"{"f:x":{},"#,
        #"[{"k:{\"name\":\x\"}":{}}]"#, #"["\ud800"]"#, #"["\udc00x"]"#, #"["\u12G4"]"#, "[\"tab\there\"]", "[\"bad \u{1} control\"]",
        #"[01]"#, #"[1.]"#, #"[-]"#, #"[1e]"#, #"[1e999]"#, #"[nul]"#, #"{"unterminated"#, #"[{"a":"b"}"#, "", "[\n  {\"x\":\n  }]",
    ])
    func malformedManagedFieldsIsTheSameError(managedFields: String) throws {
        for text in [
            #"{"metadata":{"name":"a","managedFields":\#(managedFields),"uid":"u"}}"#,
            "{\n \"metadata\": {\n  \"managedFields\": \(managedFields)\n }\n}",
        ] {
            let bytes = Array(text.utf8)
            let full = #expect(throws: JSONError.self) { try JSON.parse(bytes) }
            let skipping = #expect(throws: JSONError.self) { try Self.skipped(bytes, .document) }
            #expect(full == skipping, "\(text)")
        }
    }

    @Test func invalidUTF8InASkippedStringIsTheSameError() throws {
        for bad: [UInt8] in [[0xC3], [0xFF, 0x41], [0xE2, 0x82], [0xC3, 0x5C, 0x6E], [0x5C, 0x6E, 0xED, 0xA0, 0x80], [0xC3, 0xA9, 0x5C, 0x22]] {
            let bytes = Array(#"{"metadata":{"managedFields":[{"k":""#.utf8) + bad + Array(#""}]}}"#.utf8)
            Self.expectSame(bytes, .document)
        }
        // Valid non-ASCII, with and without escapes, is skipped like anything else.
        Self.expectSame(Array(#"{"metadata":{"managedFields":["café \"😀\"","é"],"name":"n"}}"#.utf8), .document)
    }

    @Test func depthLimitInsideManagedFields() throws {
        // {"metadata":{"managedFields": ... }}: managedFields' value starts at depth 3.
        func nested(_ levels: Int) -> [UInt8] {
            Array((#"{"metadata":{"managedFields":"# + String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "}}").utf8)
        }
        let atLimit = nested(JSON.maximumDepth - 2)
        #expect(try Self.skipped(atLimit, .document) == ["metadata": [:]])
        Self.expectSame(atLimit, .document)
        let over = nested(JSON.maximumDepth - 1)
        let full = #expect(throws: JSONError.self) { try JSON.parse(over) }
        let skipping = #expect(throws: JSONError.self) { try Self.skipped(over, .document) }
        #expect(full == skipping)
        #expect(skipping?.message.contains("nesting deeper than") == true)
        let deepObjects = Array((#"{"metadata":{"managedFields":"# + String(repeating: #"{"a":"#, count: 1000)).utf8)
        Self.expectSame(deepObjects, .document)
    }

    /// Random values (tricky strings, numbers, nesting) as managedFields and around it.
    @Test func randomValuesEqualParseThenRemove() throws {
        var rng = FuzzRNG(seed: 0x5EED_F1E1D)
        for _ in 0..<1_000 {
            var metadata = Value.Object()
            for n in 0..<Int.random(in: 0..<4, using: &rng) { metadata["m\(n)"] = RandomValues.value(&rng, depth: 1) }
            metadata["managedFields"] = RandomValues.value(&rng, depth: 0)
            for n in 0..<Int.random(in: 0..<3, using: &rng) { metadata["z\(n)"] = RandomValues.value(&rng, depth: 1) }
            let object: Value = ["apiVersion": "v1", "metadata": .object(metadata), "spec": RandomValues.value(&rng, depth: 1)]
            let pretty = Bool.random(using: &rng)
            let options: JSON.SerializationOptions = pretty ? .prettyPrinted : []
            Self.expectSame(JSON.serializeBytes(object, options: options), .document)
            Self.expectSame(JSON.serializeBytes(["type": "MODIFIED", "object": object], options: options), .watchEvent)
            Self.expectSame(JSON.serializeBytes(["metadata": [:], "items": [object, object]], options: options), .listItems)
        }
    }

    /// Mutated Pod events (bit flips, insertions, deletions): both parses agree on every input.
    @Test func mutatedPodEventsAgree() {
        var rng = FuzzRNG(seed: Fuzz.seed)
        for _ in 0..<Fuzz.iterations(default: 2_000) {
            let input = mutate(Self.podEvent, &rng)
            Self.expectSame(input, .watchEvent)
        }
    }
}
