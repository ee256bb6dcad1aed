/// Renders the difference between two values as a unified diff of their YAML forms, the format
/// of `kubectl diff` and `git diff`:
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
/// Lines are compared with Myers' algorithm. TendYAML adds ``render(old:new:oldLabel:newLabel:context:color:)``
/// for two values, rendered as YAML (stable key order, one field per line), so a change deep inside an
/// object shows with its parents as context.
public enum UnifiedDiff {
    /// A unified diff of two line arrays; empty when they are equal.
    public static func render(
        oldLines a: [String], newLines b: [String], oldLabel: String, newLabel: String,
        context: Int = 3, color: Bool = false
    ) -> String {
        let ops = LineDiff.edits(a, b)
        guard ops.contains(where: { $0.kind != .keep }) else { return "" }
        let red = color ? "\u{1B}[31m" : ""
        let green = color ? "\u{1B}[32m" : ""
        let cyan = color ? "\u{1B}[36m" : ""
        let bold = color ? "\u{1B}[1m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var out = "\(bold)--- \(oldLabel)\(reset)\n\(bold)+++ \(newLabel)\(reset)\n"
        for hunk in hunks(ops, context: context) {
            let oldStart = hunk.first.map { $0.oldIndex } ?? 0
            let newStart = hunk.first.map { $0.newIndex } ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "\(cyan)@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\(reset)\n"
            for op in hunk {
                switch op.kind {
                case .keep: out += " \(a[op.oldIndex])\n"
                case .delete: out += "\(red)-\(a[op.oldIndex])\(reset)\n"
                case .insert: out += "\(green)+\(b[op.newIndex])\(reset)\n"
                }
            }
        }
        return out
    }

    /// `start,count` with unified-diff conventions: 1-based start, and the line before for an empty range.
    private static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : (count == 1 ? "\(start + 1)" : "\(start + 1),\(count)")
    }

    /// Groups edits into hunks, each change surrounded by up to `context` unchanged lines.
    private static func hunks(_ ops: [LineDiff.Edit], context: Int) -> [[LineDiff.Edit]] {
        var changed: [Int] = []
        for (n, op) in ops.enumerated() where op.kind != .keep { changed.append(n) }
        var result: [[LineDiff.Edit]] = []
        var n = 0
        while n < changed.count {
            let lo = max(0, changed[n] - context)
            var hi = min(ops.count - 1, changed[n] + context)
            n += 1
            while n < changed.count, changed[n] - context <= hi + 1 {
                hi = min(ops.count - 1, changed[n] + context)
                n += 1
            }
            result.append(Array(ops[lo...hi]))
        }
        return result
    }
}
