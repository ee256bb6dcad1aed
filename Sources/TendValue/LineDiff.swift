/// Myers' O((N+M)·D) shortest edit script between two sequences of lines.
enum LineDiff {
    struct Edit: Equatable {
        enum Kind { case keep, delete, insert }
        var kind: Kind
        /// Index into the old lines (for `.insert`, the old position it comes before).
        var oldIndex: Int
        /// Index into the new lines (for `.delete`, the new position it comes before).
        var newIndex: Int
    }

    /// Above this many differences the script degrades to delete-all/insert-all to bound time and memory.
    static let maximumEditDistance = 4_000

    static func edits(_ a: [String], _ b: [String]) -> [Edit] {
        // Trim the common prefix and suffix: most object diffs touch a few lines in the middle.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix,
            a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
        {
            suffix += 1
        }
        var out: [Edit] = (0..<prefix).map { Edit(kind: .keep, oldIndex: $0, newIndex: $0) }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        for e in middle(midA, midB) {
            out.append(Edit(kind: e.kind, oldIndex: e.oldIndex + prefix, newIndex: e.newIndex + prefix))
        }
        for s in 0..<suffix {
            out.append(Edit(kind: .keep, oldIndex: a.count - suffix + s, newIndex: b.count - suffix + s))
        }
        return out
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count
        let m = b.count
        if n == 0 { return (0..<m).map { Edit(kind: .insert, oldIndex: 0, newIndex: $0) } }
        if m == 0 { return (0..<n).map { Edit(kind: .delete, oldIndex: $0, newIndex: 0) } }
        let maxD = min(n + m, maximumEditDistance)
        let offset = maxD + 1
        var v = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...maxD {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break outer
                }
            }
        }
        guard found else {
            return (0..<n).map { Edit(kind: .delete, oldIndex: $0, newIndex: 0) }
                + (0..<m).map { Edit(kind: .insert, oldIndex: n, newIndex: $0) }
        }
        // Walk the trace backwards to recover the script.
        var script: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]
            let k = x - y
            let prevK: Int
            if k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]) {
                prevK = k + 1
            } else {
                prevK = k - 1
            }
            let prevX = d == 0 ? 0 : vd[offset + prevK]
            let prevY = prevX - prevK
            while x > prevX, y > prevY {
                x -= 1
                y -= 1
                script.append(Edit(kind: .keep, oldIndex: x, newIndex: y))
            }
            if d > 0 {
                if x == prevX {
                    y -= 1
                    script.append(Edit(kind: .insert, oldIndex: x, newIndex: y))
                } else {
                    x -= 1
                    script.append(Edit(kind: .delete, oldIndex: x, newIndex: y))
                }
            }
        }
        return script.reversed()
    }
}
