public import TendValue

/// Decides whether a live object already has what a desired (applied) object says.
///
/// Server-side apply makes the API server the judge of merges, but sending an apply for every
/// object on every reconcile would make an idle controller write constantly. Tend skips the apply
/// when (a) every field of the desired object is present in the live one with an equal value
/// (objects compared recursively, arrays element by element and of equal length, so defaults the
/// server adds do not count as differences) and (b) the live object carries the hash of the same
/// desired object in the ``appliedHashAnnotation``, so a field removed from a template still
/// triggers an apply that releases it.
public enum ObjectMatch {
    /// Annotation holding the hash of the last applied desired object.
    public static let appliedHashAnnotation = "tend.dev/applied-hash"

    /// Whether `live` contains every field of `desired` with the same value.
    public static func contains(_ live: Value, _ desired: Value) -> Bool { live.includes(desired) }

    /// A stable hash of `value` (FNV-1a 64 over canonical JSON with sorted keys), as 16 hex digits.
    public static func hash(_ value: Value) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSON.serializeBytes(value, options: .sortedKeys) {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Whether applying `desired` would change `live`.
    public static func needsApply(live: Value?, desired: Value) -> Bool {
        guard let live else { return true }
        return !contains(live, desired)
    }
}
