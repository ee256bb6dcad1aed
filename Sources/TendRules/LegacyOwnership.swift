public import TendValue

/// Hands what Tend's former single field manager owns on an object to the rule that now writes it.
///
/// Before per-rule ownership (``Rule/fieldManager``), every rule applied as `tend`. An object written
/// then carries a `managedFields` entry of that manager. Left alone, it would keep owning every field
/// a rule applied, so a field later removed from a template would stay (doubly owned, never
/// released), and the shared inventory annotation and finalizer would never go.
///
/// The takeover (``OwnershipTakeover``), done by the first rule that writes the object after the
/// upgrade (as kubectl moves a client-side-applied object to server-side apply): the `tend` **Apply**
/// entries are merged into the rule's own entries (the fields under `status` into the status
/// manager's, the rest into the rule's manager's) and removed. Entries of `tend` with another operation are left alone: an
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
}
