import TendValue

/// Read-only views of the metadata fields the runtime needs, on cached objects (their decoded
/// metadata: nothing else is decoded).
enum Metadata {
    static func resourceVersion(_ object: CachedObject) -> String? {
        object.metadata["resourceVersion"]?.stringValue
    }

    static func labels(_ object: CachedObject) -> Value.Object? {
        object.metadata["labels"]?.objectValue
    }

    /// The UID of the owner reference marked `controller: true`, if any.
    static func controllerUID(_ object: CachedObject) -> String? {
        guard let refs = object.metadata["ownerReferences"]?.arrayValue else { return nil }
        for ref in refs where ref["controller"]?.boolValue == true {
            return ref["uid"]?.stringValue
        }
        return nil
    }
}
