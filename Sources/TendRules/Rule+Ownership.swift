public import TendValue

/// Who owns what Tend writes: every rule writes as itself.
///
/// Each rule applies with its own field manager, so server-side apply keeps the fields of two rules
/// that meet on one object apart: rule A's apply never releases what rule B set, and a rule watching
/// the children of another (a chain) never drops the fields the other applied. Tend's bookkeeping on
/// a watched object is per rule too: the finalizer is `cleanup.tend.dev/<rule>`, so two rules that
/// both need a finalizer on one object never contend for one value. The inventory of child kinds is
/// per rule, in the ``InventoryRecord`` (it was once an annotation on each watched object, still read).
///
/// | what | owner |
/// | --- | --- |
/// | a child's fields (template, labels, annotations, ownerReference) | `tend/<rule>` |
/// | the watched object's `patch` fields, finalizer | `tend/<rule>` |
/// | the watched object's `status` | `tend/<rule>/status` |
///
/// The status has a manager of its own because API servers before 1.22 keep one `managedFields`
/// entry per manager for the object and its status subresource together: an apply of the status
/// would otherwise take over, and later release, what the same manager applied to the object.
///
/// Tend before this model wrote everything as the single manager `tend` (``legacyFieldManager``),
/// with the shared annotation ``legacyInventoryAnnotation`` and finalizer ``legacyFinalizer``.
/// ``LegacyOwnership`` hands what that manager owns to the rule that writes the object next.
extension Rule {
    /// The field manager of this rule's applies of children and of the watched object's own fields.
    public var fieldManager: String { Self.fieldManager(ofRule: name) }

    /// The field manager of the rule named `name`.
    public static func fieldManager(ofRule name: String) -> String { fieldManagerPrefix + name }
    /// The field manager of this rule's status writes.
    public var statusFieldManager: String { fieldManager + Self.statusManagerSuffix }
    /// The annotation on a watched object that listed the kinds of children this rule created for it,
    /// before the per-rule ``InventoryRecord``: read (its kinds are searched and carried into the
    /// record), no longer written.
    public var inventoryAnnotation: String { "inventory.tend.dev/" + name }
    /// The finalizer this rule puts on a watched object whose children cannot all carry an
    /// ownerReference (or are orphaned on delete), and removes once they are handled.
    public var finalizer: String { Self.finalizer(ofRule: name) }

    /// The finalizer of the rule named `name`.
    public static func finalizer(ofRule name: String) -> String { "cleanup.tend.dev/" + name }

    /// The managers whose writes are this rule's own (its two, and the legacy one it takes over).
    public var ownManagers: Set<String> { [fieldManager, statusFieldManager, Self.legacyFieldManager] }

    /// Whether `finalizer` is one this rule removes when it is done: its own, or the legacy shared one.
    public func handlesFinalizer(_ finalizer: String) -> Bool {
        finalizer == self.finalizer || finalizer == Self.legacyFinalizer
    }

    /// Whether `object` carries a finalizer this rule handles.
    public func hasFinalizer(_ object: Value) -> Bool { hasFinalizer(metadata: object["metadata"] ?? .null) }

    /// Whether an object with this `metadata` carries a finalizer this rule handles.
    public func hasFinalizer(metadata: Value) -> Bool {
        (metadata["finalizers"]?.arrayValue ?? []).contains { $0.stringValue.map(handlesFinalizer) == true }
    }

    /// The kinds listed by this rule's former inventory annotation on `parent`, and by the legacy
    /// shared one (written by Tend before per-rule ownership; read until it is gone).
    public func inventoryKinds(of parent: Value) -> [String] {
        let annotations = parent["metadata"]?["annotations"]
        return [inventoryAnnotation, Self.legacyInventoryAnnotation].flatMap { key in
            (annotations?[key]?.stringValue ?? "").split(separator: ",").map(String.init)
        }
    }

    static let fieldManagerPrefix = "tend/"
    static let statusManagerSuffix = "/status"

    /// The rule a field manager writes for (`tend/web` and `tend/web/status`: `web`), or nil when the
    /// manager is not one of Tend's rules.
    public static func ruleName(ofManager manager: String) -> String? {
        guard manager.hasPrefix(fieldManagerPrefix) else { return nil }
        var name = manager.dropFirst(fieldManagerPrefix.count)
        if name.hasSuffix(statusManagerSuffix) { name = name.dropLast(statusManagerSuffix.count) }
        return name.isEmpty || name.contains("/") ? nil : String(name)
    }

    /// The single field manager every rule used before per-rule ownership.
    public static let legacyFieldManager = "tend"
    /// The inventory annotation every rule shared before per-rule ownership.
    public static let legacyInventoryAnnotation = "tend.dev/inventory"
    /// The finalizer every rule shared before per-rule ownership.
    public static let legacyFinalizer = "tend.dev/cleanup"
}
