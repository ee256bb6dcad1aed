import Testing
import TendValue

@Suite struct DiffTests {
    let live: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": [
            "replicas": 2,
            "template": ["spec": ["containers": [["name": "app", "image": "nginx:1.25"]]]],
        ],
    ]

    @Test func structuralChangesNameEachField() throws {
        var planned = live
        try planned.set(try FieldPath(parsing: "spec.replicas"), to: 3)
        try planned.set(try FieldPath(parsing: "spec.template.spec.containers[0].image"), to: "nginx:1.27")
        try planned.set(try FieldPath(parsing: #"metadata.labels["tier"]"#), to: "web")
        planned.remove(try FieldPath(parsing: "metadata.labels.app"))
        let changes = ValueDiff.changes(from: live, to: planned)
        #expect(changes.map(\.description) == [
            #"- metadata.labels.app: "web""#,
            #"+ metadata.labels.tier: "web""#,
            "~ spec.replicas: 2 -> 3",
            #"~ spec.template.spec.containers[0].image: "nginx:1.25" -> "nginx:1.27""#,
        ])
        #expect(ValueDiff.changes(from: live, to: live).isEmpty)
    }

}
