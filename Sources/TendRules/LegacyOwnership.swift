public import TendValue

/// Hands what Tend's former single field manager owns on an object to the rule that now writes it.
///
/// Before per-rule ownership (``Rule/fieldManager``), every rule applied as `tend`. An object written
/// then carries a `managedFields` entry of that manager. Left alone, it would keep owning every field
/// a rule applied, so a field later removed from a template would stay (doubly owned, never
/// released), and the shared inventory annotation and finalizer would never go.
///
/// The takeover, done by the first rule that writes the object after the upgrade (as kubectl moves a
/// client-side-applied object to server-side apply): the `tend` **Apply** entries are merged into the
/// rule's own entries (the fields under `status` into the status manager's, the rest into the
/// rule's manager's) and removed. Entries of `tend` with another operation are left alone: an
/// Update entry never causes a field to be released, and any client whose user agent is `tend` (a
/// script using Tend's client) writes as `tend` too. The rule then applies its
/// configuration once more, and server-side apply releases whatever the rule now owns but no longer
/// sets: the legacy inventory annotation, the legacy finalizer, fields of templates since changed.
///
/// An object two rules wrote as `tend` (which did not work before: their applies released each other's
/// fields) is taken over by the first: fields of the second rule may disappear until its next
/// reconcile applies them again as itself.
public enum LegacyOwnership {
    /// Whether `object`'s `managedFields` has an Apply entry of the legacy manager.
    public static func needsTakeover(_ object: Value) -> Bool {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).contains(where: isLegacyApply)
    }

    /// Whether `object` shows the former manager's writes: its managedFields when they are there,
    /// else (an informer cache drops managedFields) its bookkeeping, the shared inventory annotation
    /// or the shared finalizer, which it wrote on every object it gave children.
    public static func isLegacyWritten(_ object: Value) -> Bool {
        object["metadata"]?["annotations"]?[Rule.legacyInventoryAnnotation] != nil
            || (object["metadata"]?["finalizers"]?.arrayValue ?? []).contains(.string(Rule.legacyFinalizer))
            || needsTakeover(object)
    }

    static func isLegacyApply(_ entry: Value) -> Bool {
        entry["manager"]?.stringValue == Rule.legacyFieldManager && entry["operation"]?.stringValue == "Apply"
    }

    /// The `managedFields` of `object` after the takeover by `rule`, or nil when there is nothing to
    /// take over.
    public static func managedFields(of object: Value, takenOverBy rule: Rule) -> [Value]? {
        let entries = object["metadata"]?["managedFields"]?.arrayValue ?? []
        guard entries.contains(where: isLegacyApply) else { return nil }
        var out: [Value] = []
        var main: Value?
        var status: Value?
        for entry in entries {
            guard isLegacyApply(entry) else {
                out.append(entry)
                continue
            }
            guard case .object(var fields)? = entry["fieldsV1"] else { continue }
            if entry["subresource"]?.stringValue == "status" {
                status = merge(status, .object(fields), template: entry)
                continue
            }
            if let statusFields = fields.removeValue(forKey: "f:status") {
                status = merge(status, ["f:status": statusFields], template: entry)
            }
            if !fields.isEmpty { main = merge(main, .object(fields), template: entry) }
        }
        func adopt(_ legacy: Value?, as manager: String, subresource: String?) {
            guard let legacy else { return }
            if let i = out.firstIndex(where: { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" && $0["subresource"]?.stringValue == subresource }) {
                out[i]["fieldsV1"] = union(out[i]["fieldsV1"] ?? .emptyObject, legacy["fieldsV1"] ?? .emptyObject)
            } else {
                var entry = legacy
                entry["manager"] = .string(manager)
                out.append(entry)
            }
        }
        adopt(main, as: rule.fieldManager, subresource: nil)
        // The status fields of a pre-1.22 server's single entry have no subresource; a newer server's
        // status entry says so.
        adopt(status, as: rule.statusFieldManager, subresource: status?["subresource"]?.stringValue)
        return out
    }

    /// The JSON patch that installs `managedFields` on `object`, guarded by its resourceVersion so a
    /// concurrent write makes it fail (and the takeover is tried again) instead of losing that write's
    /// ownership.
    public static func patch(installing managedFields: [Value], on object: Value) -> [Value] {
        let version = object["metadata"]?["resourceVersion"] ?? .string("")
        return [
            ["op": "test", "path": "/metadata/resourceVersion", "value": version],
            ["op": "replace", "path": "/metadata/managedFields", "value": .array(managedFields)],
        ]
    }

    private static func merge(_ existing: Value?, _ fields: Value, template: Value) -> Value {
        var entry = existing ?? template
        entry["fieldsV1"] = existing.map { union($0["fieldsV1"] ?? .emptyObject, fields) } ?? fields
        return entry
    }

    /// The union of two `fieldsV1` sets (tries of `f:`/`k:`/`v:`/`i:` keys with `{}` leaves): a deep merge.
    static func union(_ a: Value, _ b: Value) -> Value { a.merging(b) }
}
