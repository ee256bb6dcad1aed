import TendValue

/// Read-only views of the metadata fields the runtime needs, on dynamic objects.
enum Metadata {
    static func resourceVersion(_ object: Value) -> String? {
        object["metadata"]?["resourceVersion"]?.stringValue
    }

    static func labels(_ object: Value) -> Value.Object? {
        object["metadata"]?["labels"]?.objectValue
    }

    /// The UID of the owner reference marked `controller: true`, if any.
    static func controllerUID(_ object: Value) -> String? {
        guard let refs = object["metadata"]?["ownerReferences"]?.arrayValue else { return nil }
        for ref in refs where ref["controller"]?.boolValue == true {
            return ref["uid"]?.stringValue
        }
        return nil
    }
}
