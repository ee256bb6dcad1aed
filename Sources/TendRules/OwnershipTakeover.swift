public import TendValue

/// Moves fields a rule owns in the wrong kind of `managedFields` entry into the rule's own Apply
/// entries, so that its next apply releases what it no longer sets (exact field removal).
///
/// Two kinds of entry are taken over, each only by the rule that finds it:
/// - **The `Update` entry of the rule's own manager on the main resource**, left by the `POST` that
///   created a child (``PlanExecutor``'s create: one request, the API server's cheapest write). It
///   owns what the create sent and the defaults the server filled in. Beside a later Apply entry of
///   the same manager it would keep owning a field the template stops setting, so the field would
///   stay. Taken over, a default the rule does not set is released by the next apply and filled in
///   again by the server (same value, owned by nobody), as after a create by apply.
/// - **The Apply entries of Tend's former single manager** (``LegacyOwnership``): their fields under
///   `status` go to the rule's status manager, the rest to the rule's manager.
///
/// Other entries stay as they are: other managers', the status manager's, and Update entries of a
/// client called `tend` (a script using Tend's client writes as `tend`).
///
/// The takeover is made as kubectl's `csaupgrade` makes it: a JSON patch of `metadata.managedFields`
/// guarded by the object's resourceVersion (``patch(installing:on:)``), so a concurrent write makes
/// it fail (and it is tried again) instead of losing that write's ownership.
public enum OwnershipTakeover {
    /// What the takeover installs.
    public struct Result: Sendable, Equatable {
        /// The object's `managedFields` after the takeover.
        public var managedFields: [Value]
        /// Whether a taken field was not already owned by the entry it joined: the rule's next apply
        /// of the same configuration releases it (a default, or a field of an older template).
        public var releases: Bool
    }

    /// Whether `object`'s `managedFields` hold an entry `rule` takes over.
    public static func isNeeded(_ object: Value, by rule: Rule) -> Bool {
        entries(of: object).contains { isTaken($0, by: rule) }
    }

    static func isTaken(_ entry: Value, by rule: Rule) -> Bool {
        LegacyOwnership.isLegacyApply(entry) || isCreateEntry(entry, of: rule)
    }

    /// The entry a write other than an apply by `rule`'s manager leaves on the main resource (its
    /// create).
    static func isCreateEntry(_ entry: Value, of rule: Rule) -> Bool {
        entry["manager"]?.stringValue == rule.fieldManager && entry["operation"]?.stringValue == "Update"
            && (entry["subresource"]?.stringValue ?? "").isEmpty
    }

    /// The `managedFields` of `object` after the takeover by `rule`, or nil when there is nothing to
    /// take over.
    public static func takeover(of object: Value, by rule: Rule) -> Result? {
        let entries = entries(of: object)
        guard entries.contains(where: { isTaken($0, by: rule) }) else { return nil }
        var out: [Value] = []
        var main: Value?
        var status: Value?
        for entry in entries {
            guard isTaken(entry, by: rule) else {
                out.append(entry)
                continue
            }
            guard case .object(var fields)? = entry["fieldsV1"] else { continue }
            if LegacyOwnership.isLegacyApply(entry) {
                if entry["subresource"]?.stringValue == "status" {
                    status = merge(status, .object(fields), template: entry)
                    continue
                }
                if let statusFields = fields.removeValue(forKey: "f:status") {
                    status = merge(status, ["f:status": statusFields], template: entry)
                }
            }
            if !fields.isEmpty { main = merge(main, .object(fields), template: entry) }
        }
        var releases = false
        func adopt(_ taken: Value?, as manager: String, subresource: String?) {
            guard let taken else { return }
            let fields = taken["fieldsV1"] ?? .emptyObject
            if let i = out.firstIndex(where: { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" && $0["subresource"]?.stringValue == subresource }) {
                let owned = out[i]["fieldsV1"] ?? .emptyObject
                if !isSubset(fields, of: owned) { releases = true }
                out[i]["fieldsV1"] = owned.merging(fields)
            } else {
                var entry = taken
                entry["manager"] = .string(manager)
                entry["operation"] = "Apply"
                if let subresource { entry["subresource"] = .string(subresource) } else { entry["subresource"] = nil }
                out.append(entry)
                releases = true
            }
        }
        adopt(main, as: rule.fieldManager, subresource: nil)
        // The status fields of a pre-1.22 server's single entry have no subresource; a newer server's
        // status entry says so.
        adopt(status, as: rule.statusFieldManager, subresource: status?["subresource"]?.stringValue)
        return Result(managedFields: out, releases: releases)
    }

    /// The JSON patch that installs `managedFields` on `object`, guarded by its resourceVersion.
    public static func patch(installing managedFields: [Value], on object: Value) -> [Value] {
        let version = object["metadata"]?["resourceVersion"] ?? .string("")
        return [
            ["op": "test", "path": "/metadata/resourceVersion", "value": version],
            ["op": "replace", "path": "/metadata/managedFields", "value": .array(managedFields)],
        ]
    }

    private static func entries(of object: Value) -> [Value] {
        object["metadata"]?["managedFields"]?.arrayValue ?? []
    }

    private static func merge(_ existing: Value?, _ fields: Value, template: Value) -> Value {
        var entry = existing ?? template
        entry["fieldsV1"] = existing.map { ($0["fieldsV1"] ?? .emptyObject).merging(fields) } ?? fields
        return entry
    }

    /// Whether every field of the `fieldsV1` set `a` is in `b` (tries of `f:`/`k:`/`v:`/`i:` keys
    /// with `{}` leaves; `.` marks the node itself).
    static func isSubset(_ a: Value, of b: Value) -> Bool {
        guard case .object(let fields) = a else { return true }
        for (key, sub) in fields {
            guard let other = b[key] else { return false }
            if !isSubset(sub, of: other) { return false }
        }
        return true
    }
}
