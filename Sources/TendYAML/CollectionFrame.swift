import TendValue

/// A sequence or mapping whose end event has not been read yet.
struct CollectionFrame {
    /// A mapping key read, waiting for its value.
    struct PendingKey {
        var key: String
        var isMerge: Bool
        var line: Int32
        var column: Int32
        var length: Int32
    }

    /// The value of a `<<` entry, applied when the mapping ends.
    struct Merge {
        /// How many explicit entries came before the `<<`: merged keys are inserted there.
        var position: Int
        var sources: [(Value.Object, LocationNode)]
    }

    /// Above this many keys, duplicate checks use a hash set instead of a linear scan.
    static let linearKeyLimit = 16

    var isMapping: Bool
    var anchor: String?
    /// The document's node count when the collection started (for its expanded size).
    var startCount: Int
    var loc: LocationNode
    var items: [Value] = []
    var object = Value.Object()
    var keySet: Set<String>? = nil
    var pendingKey: PendingKey? = nil
    var merges: [Merge] = []

    func containsKey(_ key: String) -> Bool {
        if let keySet { return keySet.contains(key) }
        return object.keys.contains(key)
    }

    /// Records a mapping key; a repeated key is an error at its second occurrence.
    mutating func acceptKey(_ node: ParsedNode, keyString key: String, file: String) throws(YAMLError) {
        let pending = PendingKey(
            key: key, isMerge: node.isMergeKey, line: node.loc.line, column: node.loc.column,
            length: node.loc.length)
        if !node.isMergeKey, containsKey(key) {
            var message = "duplicate key \"\(key)\""
            if let i = object.index(forKey: key) {
                let first = loc.children[i]
                message += " (first defined at line \(first.keyLine), column \(first.keyColumn))"
            }
            throw YAMLError(
                .duplicateKey, at: SourceLocation(file: file, line: Int(node.loc.line), column: Int(node.loc.column)),
                message, length: Int(node.loc.length))
        }
        pendingKey = pending
    }

    /// Records the value of the pending key.
    mutating func acceptValue(_ node: ParsedNode, file: String) throws(YAMLError) {
        guard let key = pendingKey else { return }
        pendingKey = nil
        if key.isMerge {
            merges.append(Merge(position: object.count, sources: try Self.mergeSources(node, file: file)))
            return
        }
        var child = node.loc
        child.keyLine = key.line
        child.keyColumn = key.column
        child.keyLength = key.length
        object.appendUnchecked(key.key, node.value)
        loc.keys.append(key.key)
        loc.children.append(child)
        if keySet != nil {
            keySet?.insert(key.key)
        } else if object.count > Self.linearKeyLimit {
            keySet = Set(object.keys)
        }
    }

    /// The mappings a `<<` value merges, in precedence order (earlier wins).
    static func mergeSources(_ node: ParsedNode, file: String) throws(YAMLError) -> [(Value.Object, LocationNode)] {
        func invalid() -> YAMLError {
            YAMLError(
                .invalidMerge, at: SourceLocation(file: file, line: Int(node.loc.line), column: Int(node.loc.column)),
                "map merge requires a mapping or a sequence of mappings as the value of <<",
                length: Int(node.loc.length))
        }
        switch node.value {
        case .object(let o):
            return [(o, node.loc)]
        case .array(let items):
            var sources: [(Value.Object, LocationNode)] = []
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item, i < node.loc.children.count else { throw invalid() }
                sources.append((o, node.loc.children[i]))
            }
            return sources
        default:
            throw invalid()
        }
    }

    /// The mapping's final object: explicit entries in source order, merged entries inserted where
    /// their `<<` was, explicit keys overriding merged ones and earlier merged mappings overriding later ones.
    mutating func finishMapping(file: String) throws(YAMLError) -> Value.Object {
        guard !merges.isEmpty else { return object }
        var present = Set(object.keys)
        var result = Value.Object(minimumCapacity: object.count)
        var keys: [String] = []
        var children: [LocationNode] = []
        var next = 0
        for i in 0...object.count {
            while next < merges.count, merges[next].position == i {
                for (source, sourceLoc) in merges[next].sources {
                    for j in source.indices {
                        let key = source.keys[j]
                        guard present.insert(key).inserted else { continue }
                        result.appendUnchecked(key, source.values[j])
                        keys.append(key)
                        if j < sourceLoc.children.count { children.append(sourceLoc.children[j]) }
                    }
                }
                next += 1
            }
            if i < object.count {
                result.appendUnchecked(object.keys[i], object.values[i])
                keys.append(object.keys[i])
                children.append(loc.children[i])
            }
        }
        if keys.count == children.count {
            loc.keys = keys
            loc.children = children
        }
        return result
    }
}
