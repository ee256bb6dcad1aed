public import TendValue

extension UnifiedDiff {
    /// A unified diff of the YAML forms of two values, as `kubectl diff` and `git diff` print it:
    ///
    /// ```
    /// --- live
    /// +++ planned
    /// @@ -3,7 +3,7 @@
    ///  spec:
    /// -  replicas: 2
    /// +  replicas: 3
    /// ```
    ///
    /// Both sides are serialized with ``YAML/serialize(_:)`` (key order kept, one field per line). A nil
    /// side stands for an absent object (creation or deletion). Empty when the values are equal.
    public static func render(
        old: Value?, new: Value?, oldLabel: String = "old", newLabel: String = "new",
        context: Int = 3, color: Bool = false
    ) -> String {
        func lines(_ v: Value?) -> [String] {
            guard let v else { return [] }
            return YAML.serialize(v).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return render(oldLines: lines(old), newLines: lines(new), oldLabel: oldLabel, newLabel: newLabel, context: context, color: color)
    }
}
