public import TendMeta
public import TendValue

/// Server-side apply as the offline cluster models it: one manager's configuration merged into the
/// live object, and what that manager applied before and no longer applies released.
///
/// - Objects merge key by key. A key the manager applied last time and leaves out now is removed,
///   unless another manager's configuration still sets it (then it stays, owned by that one).
/// - Lists follow their ``ListTypes/ListType``: atomic lists are replaced whole; sets are merged
///   (items the manager applied before and no longer does are removed unless another sets them);
///   list maps are merged item by item by their key fields, an item the manager no longer applies
///   is removed unless another manager's configuration has it.
/// - `null` in the configuration asks for the field's absence.
///
/// What it does not model: ownership of individual fields set by plain updates (`kubectl edit`):
/// the other "configurations" are whole objects written by those managers, which over-approximates
/// what they own (a field is then kept that the server would release).
public struct ServerSideApply {
    public let listTypes: ListTypes
    public let kind: GroupVersionKind

    /// A configuration that cannot be applied: what the API server answers, and where.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public init(listTypes: ListTypes, kind: GroupVersionKind) {
        self.listTypes = listTypes
        self.kind = kind
    }

    /// `live` after applying `applied`, the manager having applied `previous` before; `others` are
    /// the configurations of the object's other managers.
    public func apply(_ applied: Value, to live: Value?, previous: Value?, others: [Value]) throws(Invalid) -> Value {
        try merge(live, applied, previous, others, path: [])
    }

    private func merge(_ live: Value?, _ applied: Value, _ previous: Value?, _ others: [Value], path: [String]) throws(Invalid) -> Value {
        switch applied {
        case .object(let fields):
            var result = live?.objectValue ?? Value.Object()
            for (key, value) in fields {
                if value.isNull {
                    result.removeValue(forKey: key)
                    continue
                }
                result[key] = try merge(result[key], value, previous?[key], others.compactMap { $0[key] }, path: path + [key])
            }
            for (key, _) in previous?.objectValue ?? Value.Object() where fields[key] == nil {
                if others.contains(where: { $0[key] != nil }) { continue }
                result.removeValue(forKey: key)
            }
            return .object(result)
        case .array(let items):
            switch listTypes.listType(kind, at: path) {
            case .atomic:
                return OfflineCluster.withoutNulls(applied)
            case .set:
                var result = live?.arrayValue ?? []
                let dropped = (previous?.arrayValue ?? []).filter { old in !items.contains(old) && !others.contains { $0.arrayValue?.contains(old) == true } }
                result.removeAll { dropped.contains($0) }
                for item in items where !result.contains(item) { result.append(item) }
                return .array(result)
            case .map(let keys):
                var result = live?.arrayValue ?? []
                for (index, item) in items.enumerated() {
                    guard let key = try identity(item, keys: keys, path: path, index: index) else { continue }
                    func same(_ v: Value) -> Bool { (try? identity(v, keys: keys, path: path, index: 0)) == key }
                    let before = previous?.arrayValue?.first(where: same)
                    let theirs = others.compactMap { $0.arrayValue?.first(where: same) }
                    if let i = result.firstIndex(where: same) {
                        result[i] = try merge(result[i], item, before, theirs, path: path)
                    } else {
                        result.append(try merge(nil, item, before, theirs, path: path))
                    }
                }
                for old in previous?.arrayValue ?? [] {
                    guard let key = try? identity(old, keys: keys, path: path, index: 0) else { continue }
                    func same(_ v: Value) -> Bool { (try? identity(v, keys: keys, path: path, index: 0)) == key }
                    if items.contains(where: same) || others.contains(where: { $0.arrayValue?.contains(where: same) == true }) { continue }
                    result.removeAll(where: same)
                }
                return .array(result)
            }
        default:
            return applied
        }
    }

    /// An item's key values; an item without one of them is refused, as the API server refuses it.
    private func identity(_ item: Value, keys: [String], path: [String], index: Int) throws(Invalid) -> [Value]? {
        guard case .object(let fields) = item else { return nil }
        var values: [Value] = []
        for key in keys {
            guard let v = fields[key].flatMap({ $0.isNull ? nil : $0 }) ?? BuiltinDefaults.listKeyDefault(at: path, key: key) else {
                throw Invalid(path: path.joined(separator: ".") + "[\(index)]", message: "associative list with keys has an element that omits key field \"\(key)\"")
            }
            values.append(v)
        }
        return values
    }
}
