import Testing
import TendValue
import TendYAML

/// Unified diffs of two values rendered as YAML.
@Suite struct UnifiedDiffTests {
    let live: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": [
            "replicas": 2,
            "template": ["spec": ["containers": [["name": "app", "image": "nginx:1.25"]]]],
        ],
    ]

    @Test func unifiedDiffShowsChangedLinesWithContext() throws {
        var planned = live
        try planned.set(try FieldPath(parsing: "spec.replicas"), to: 3)
        let text = UnifiedDiff.render(old: live, new: planned, oldLabel: "live", newLabel: "planned")
        #expect(text == """
            --- live
            +++ planned
            @@ -5,7 +5,7 @@
               labels:
                 app: web
             spec:
            -  replicas: 2
            +  replicas: 3
               template:
                 spec:
                   containers:

            """)
        #expect(UnifiedDiff.render(old: live, new: live) == "")
    }

    @Test func creationDiffAddsEveryLine() {
        let text = UnifiedDiff.render(old: nil, new: ["a": 1, "b": ["c": "yes"]], oldLabel: "/dev/null", newLabel: "new")
        #expect(text == """
            --- /dev/null
            +++ new
            @@ -0,0 +1,3 @@
            +a: 1
            +b:
            +  c: "yes"

            """)
    }

    @Test func colourOnlyWhenAsked() {
        let plain = UnifiedDiff.render(old: ["a": 1], new: ["a": 2])
        #expect(!plain.contains("\u{1B}["))
        let coloured = UnifiedDiff.render(old: ["a": 1], new: ["a": 2], color: true)
        #expect(coloured.contains("\u{1B}[31m-a: 1"))
        #expect(coloured.contains("\u{1B}[32m+a: 2"))
    }

    @Test func separateHunksForDistantChanges() {
        var a = Value.emptyObject
        var b = Value.emptyObject
        for n in 0..<30 {
            a["k\(n)"] = .int(Int64(n))
            b["k\(n)"] = .int(Int64(n == 2 || n == 25 ? -n : n))
        }
        let text = UnifiedDiff.render(old: a, new: b)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("@@ -") }.count == 2)
        #expect(text.contains("@@ -1,6 +1,6 @@"))
        #expect(text.contains("@@ -23,7 +23,7 @@"))
    }
}
